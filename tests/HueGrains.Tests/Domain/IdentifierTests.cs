using HueGrains.Grains.Domain;

namespace HueGrains.Tests.Domain;

/// <summary>
/// Every identifier pattern takes the whole string and only ASCII: a trailing newline ('$' matches before one), a NUL,
/// or a look-alike from another script (fullwidth or Arabic-Indic digits, Cyrillic letters) is not the identifier.
/// </summary>
public class IdentifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

    private const string Hex = "0123456789abcdef0123456789abcdef";

    /// <summary>Suffixes and look-alikes that must never pass: newline, CR LF, NUL, and other scripts.</summary>
    public static TheoryData<string> BadSensorIds => new()
    {
        "probe-a\n", "probe-a\r\n", "probe-a\0", "\nprobe-a", "probe-a ",
        "prоbe-a", // Cyrillic 'о'
        "probe-а", // Cyrillic 'а'
        "probe-１", // fullwidth digit
        "probe-٣", // Arabic-Indic digit
        "ｐrobe-a", // fullwidth letter
    };

    [Theory]
    [MemberData(nameof(BadSensorIds))]
    public void A_sensor_id_with_a_trailing_newline_NUL_or_look_alike_character_is_not_a_sensor_id(string id)
    {
        Assert.True(Keys.IsSensorId("probe-a"));
        Assert.False(Keys.IsSensorId(id));
        Assert.Throws<ArgumentException>(() => Keys.SensorKey(id));
    }

    [Theory]
    [InlineData(Keys.CitizenPrefix)]
    [InlineData(Keys.CasePrefix)]
    [InlineData(Keys.FeedbackPrefix)]
    public void An_entity_id_with_a_trailing_newline_NUL_or_look_alike_digit_is_not_an_entity_id(string prefix)
    {
        Assert.True(Keys.IsEntityId(prefix + Hex, prefix));
        Assert.False(Keys.IsEntityId(prefix + Hex + "\n", prefix));
        Assert.False(Keys.IsEntityId(prefix + Hex + "\r\n", prefix));
        Assert.False(Keys.IsEntityId(prefix + Hex + "\0", prefix));
        Assert.False(Keys.IsEntityId(prefix + "０" + Hex[1..], prefix)); // fullwidth zero
        Assert.False(Keys.IsEntityId(prefix + "٠" + Hex[1..], prefix)); // Arabic-Indic zero
        Assert.False(Keys.IsEntityId(prefix + Hex[..^1] + "ｆ", prefix)); // fullwidth f
        Assert.False(Keys.IsEntityId(prefix + Hex[..^1] + "е", prefix)); // Cyrillic 'е'
    }

    [Theory]
    [InlineData("046090001234\n")]
    [InlineData("046090001234\r\n")]
    [InlineData("046090001234\0")]
    [InlineData("\n046090001234")]
    [InlineData("０４６０９０００１２３４")] // fullwidth digits
    [InlineData("٠٤٦٠٩٠٠٠١٢٣٤")] // Arabic-Indic digits
    [InlineData("۰۴۶۰۹۰۰۰۱۲۳۴")] // extended Arabic-Indic digits
    [InlineData("04609000123４")] // one fullwidth digit
    public void A_national_ID_with_a_trailing_newline_NUL_or_look_alike_digits_is_refused(string nationalId)
    {
        Assert.Equal("046090001234", CitizenRules.Normalize(Profile("046090001234", "0914123456"), Now).NationalId);
        var error = Assert.Throws<HueValidationException>(() => CitizenRules.Normalize(Profile(nationalId, "0914123456"), Now));
        Assert.Equal(["nationalId"], error.Errors.Keys);
    }

    [Theory]
    [InlineData("0914123456\n")]
    [InlineData("0914123456\r\n")]
    [InlineData("0914123456\0")]
    [InlineData("+84914123456\n")]
    [InlineData("０９１４１２３４５６")] // fullwidth digits
    [InlineData("+84٩١٤١٢٣٤٥٦")] // Arabic-Indic digits
    [InlineData("091412345６")] // one fullwidth digit
    public void A_phone_with_a_trailing_newline_NUL_or_look_alike_digits_is_refused(string phone)
    {
        Assert.Equal("0914123456", CitizenRules.Normalize(Profile("046090001234", "0914 123 456"), Now).Phone);
        var error = Assert.Throws<HueValidationException>(() => CitizenRules.Normalize(Profile("046090001234", phone), Now));
        Assert.Equal(["phone"], error.Errors.Keys);
    }

    private static CitizenProfile Profile(string nationalId, string phone) =>
        new("Nguyễn Văn An", new DateOnly(1990, 1, 1), nationalId, phone, "19753");
}
