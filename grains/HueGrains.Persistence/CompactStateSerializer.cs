using Orleans.Serialization;
using Orleans.Storage;

namespace HueGrains.Persistence;

/// <summary>
/// How the embedded mode's memory storage keeps grain state: Orleans' binary form in an array of exactly its length.
/// The default serializers hand the storage the whole buffer they grew while writing (a sensor's state of a few hundred
/// bytes kept a 4 KB array), and Orleans' default JSON form is several times the binary one; the storage keeps one per
/// grain, so that was most of a sensor's memory.
/// </summary>
public sealed class CompactStateSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;
}
