using System.Security.Cryptography.X509Certificates;

namespace HueGrains.Api.Mqtt;

/// <summary>Loads the MQTT TLS certificate once at start: PKCS#12 (.pfx/.p12), or PEM with its key beside or inside.</summary>
public static class MqttCertificate
{
    public static X509Certificate2 Load(MqttTlsOptions tls)
    {
        var path = tls.CertificatePath ?? throw new InvalidOperationException("Hue:Mqtt:Tls:CertificatePath is not set.");
        using (var file = File.OpenRead(path))
        {
            Span<byte> start = stackalloc byte[10];
            var read = file.Read(start);
            if (!System.Text.Encoding.ASCII.GetString(start[..read]).StartsWith("-----BEGIN", StringComparison.Ordinal))
                return X509CertificateLoader.LoadPkcs12FromFile(path, tls.CertificatePassword);
        }
        var keyPath = tls.KeyPath ?? path;
        var certificate = string.IsNullOrEmpty(tls.CertificatePassword)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, tls.CertificatePassword, keyPath);
        if (!certificate.HasPrivateKey) throw new InvalidOperationException("The MQTT TLS certificate has no private key.");
        return certificate;
    }
}
