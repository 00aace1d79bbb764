using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using HueGrains.Api.Mqtt;
using HueGrains.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace HueGrains.Tests.Http;

/// <summary>MQTT over TLS with a certificate from configuration (issue 14, item 6): a self-signed one made here, loopback only.</summary>
[Collection(ApiCollection.Name)]
public class MqttTlsTests(ApiFixture api)
{
    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public async Task A_device_publishes_over_TLS_with_a_configured_certificate(string format)
    {
        using var certificate = SelfSigned();
        var directory = Directory.CreateTempSubdirectory("hue-mqtt-tls-");
        var tls = new MqttTlsOptions { Enabled = true, Port = LoopbackPorts.Free(), CertificatePassword = "test-only-password" };
        if (format == "pfx")
        {
            tls.CertificatePath = Path.Combine(directory.FullName, "mqtt.pfx");
            await File.WriteAllBytesAsync(tls.CertificatePath, certificate.Export(X509ContentType.Pfx, tls.CertificatePassword));
        }
        else
        {
            (tls.CertificatePath, tls.KeyPath) = (Path.Combine(directory.FullName, "mqtt.crt"), Path.Combine(directory.FullName, "mqtt.key"));
            await File.WriteAllTextAsync(tls.CertificatePath, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(tls.KeyPath, certificate.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(tls.CertificatePassword,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        }
        var edge = await MqttWire.StartEdgeAsync(api, new MqttOptions { Port = 0, Tls = tls }); // TLS only
        try
        {
            var id = $"tls-{Guid.NewGuid():N}";
            var created = await (await api.As(Roles.Operator).PutJson($"/api/v1/sensors/{id}",
                new { kind = "water-level", unit = "m", commune = "19753", latitude = 16.46, longitude = 107.58 })).Json();
            var key = created.GetProperty("deviceKey").GetString()!;

            using var client = new MqttClientFactory().CreateMqttClient();
            var seen = "";
            var connected = await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", tls.Port).WithProtocolVersion(MqttProtocolVersion.V311)
                .WithTlsOptions(o => o.UseTls().WithTargetHost("mqtt.hue.test").WithCertificateValidationHandler(e =>
                {
                    seen = e.Certificate.GetCertHashString();
                    return seen == certificate.Thumbprint; // trust exactly the test's certificate
                }))
                .WithClientId(id).WithCredentials(id, key).Build());
            Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
            Assert.Equal(certificate.Thumbprint, seen);

            var published = await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic($"hue/sensors/{id}/readings").WithPayload(JsonSerializer.Serialize(new { at = DateTimeOffset.UtcNow, value = 0.6 }))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(published.IsSuccess);
            var sensor = await (await api.Anonymous.GetAsync($"/api/v1/sensors/{id}")).Json();
            Assert.Equal(0.6, sensor.GetProperty("latest").GetProperty("value").GetDouble());
            Assert.Equal(["127.0.0.1"], MqttWire.Listeners(tls.Port));
        }
        finally
        {
            await MqttWire.StopAsync(edge);
            directory.Delete(recursive: true);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mqtt.hue.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("mqtt.hue.test");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }
}
