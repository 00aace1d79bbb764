using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HueGrains;

/// <summary>
/// The SHA-256 of a device key as four words: 32 bytes inside whatever holds it, where its hex string is a 150-byte
/// object of its own (a sensor's state and the edges' key index hold one per device). Written as the lowercase hex it
/// has always been stored as (JSON, the projection's key-hash column, <see cref="DeviceKeys.Hash"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("hue.KeyDigest"), JsonConverter(typeof(KeyDigestJson))]
public readonly record struct KeyDigest([property: Id(0)] ulong A, [property: Id(1)] ulong B, [property: Id(2)] ulong C, [property: Id(3)] ulong D)
{
    private const int Size = 32;

    public static KeyDigest Of(string key)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return From(hash);
    }

    /// <summary>Reads the 64 hex digits of a digest (either case); false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out KeyDigest digest)
    {
        Span<byte> bytes = stackalloc byte[Size];
        digest = default;
        if (hex.Length != 2 * Size || Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != Size) return false;
        digest = From(bytes);
        return true;
    }

    /// <summary>Equal in a time that does not depend on where two digests first differ.</summary>
    public bool FixedTimeEquals(KeyDigest other) => ((A ^ other.A) | (B ^ other.B) | (C ^ other.C) | (D ^ other.D)) == 0;

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
        return Convert.ToHexStringLower(bytes);
    }

    private static KeyDigest From(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    private sealed class KeyDigestJson : JsonConverter<KeyDigest>
    {
        public override KeyDigest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TryParse(reader.GetString(), out var digest) ? digest : throw new JsonException("A device key hash is 64 hex digits.");

        public override void Write(Utf8JsonWriter writer, KeyDigest value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
