using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NetVips;

namespace HueGrains.Tests.Http;

/// <summary>Photos of a report: re-encoded without EXIF/GPS, a thumbnail, the limits, bad files, and hiding by officials.</summary>
[Collection(ApiCollection.Name)]
public class FeedbackPhotoTests(ApiFixture api)
{
    private const string Commune = "19774";

    private async Task<(string Id, HttpClient Reporter)> ReportAsync()
    {
        var citizenId = Keys.NewCitizenId();
        var reporter = api.As(Roles.Citizen, citizenId: citizenId);
        var created = await reporter.PostJson("/api/v1/feedback", new { category = "urban-order", description = "Biển quảng cáo lấn chiếm vỉa hè", commune = Commune });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await created.Json()).GetProperty("id").GetString()!, reporter);
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, string id, byte[] bytes, string fileName = "photo.jpg", string type = "image/jpeg")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "photo", fileName);
        return client.PostAsync($"/api/v1/feedback/{id}/photos", form);
    }

    /// <summary>A report submitted as multipart/form-data: its JSON in part report, each image in a part named photo.</summary>
    private static Task<HttpResponseMessage> SubmitWithPhotosAsync(HttpClient client, object report, params byte[][] photos) =>
        client.PostAsync("/api/v1/feedback", SubmitContent(report, photos));

    private static MultipartFormDataContent SubmitContent(object report, byte[][] photos)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(JsonSerializer.Serialize(report, HueGrains.Api.HueJson.Options), Encoding.UTF8, "application/json"), "report" },
        };
        foreach (var (bytes, i) in photos.Select((b, i) => (b, i)))
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(file, "photo", $"photo-{i}.jpg");
        }
        return form;
    }

    private static async Task<IReadOnlyList<string>> OwnReportsAsync(HttpClient reporter, string citizenId) =>
        [.. (await (await reporter.GetAsync($"/api/v1/citizens/{citizenId}/feedback")).Json()).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];

    private static byte[] Jpeg(int width, int height)
    {
        using var image = Image.Black(width, height, bands: 3).Linear([1.0], [90.0]).Cast(Enums.BandFormat.Uchar);
        return image.JpegsaveBuffer(q: 80);
    }

    /// <summary>A JPEG carrying an EXIF block with a GPS position (16°27'45"N 107°35'0"E), written byte by byte.</summary>
    private static byte[] JpegWithGps(int width, int height)
    {
        var tiff = new List<byte>();
        void U16(int v) => tiff.AddRange([(byte)v, (byte)(v >> 8)]);
        void U32(long v) => tiff.AddRange([(byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)]);
        void Entry(int tag, int type, int count, long value) { U16(tag); U16(type); U32(count); U32(value); }
        tiff.AddRange("II"u8.ToArray()); U16(42); U32(8);
        U16(1); Entry(0x8825, 4, 1, 26); U32(0);                         // IFD0: a pointer to the GPS IFD at 26
        U16(4);                                                           // GPS IFD: 4 entries, data from 80
        Entry(0x0001, 2, 2, 'N'); Entry(0x0002, 5, 3, 80); Entry(0x0003, 2, 2, 'E'); Entry(0x0004, 5, 3, 104); U32(0);
        foreach (var (n, d) in new[] { (16, 1), (27, 1), (4500, 100), (107, 1), (35, 1), (0, 1) }) { U32(n); U32(d); }
        var app1 = new List<byte> { 0xFF, 0xE1 };
        var length = 2 + 6 + tiff.Count;
        app1.AddRange([(byte)(length >> 8), (byte)length]);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        var jpeg = Jpeg(width, height);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A small JPEG whose frame header claims <paramref name="side"/>² pixels: decoding it would take gigabytes.</summary>
    private static byte[] JpegBomb(int side)
    {
        var jpeg = Jpeg(16, 16);
        for (var at = 2; at + 9 < jpeg.Length; at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]))
        {
            Assert.Equal(0xFF, jpeg[at]);
            if (jpeg[at + 1] is not (0xC0 or 0xC1 or 0xC2)) continue;
            jpeg[at + 5] = (byte)(side >> 8); jpeg[at + 6] = (byte)side;
            jpeg[at + 7] = (byte)(side >> 8); jpeg[at + 8] = (byte)side;
            return jpeg;
        }
        throw new InvalidOperationException("no frame header");
    }

    private static string[] FieldsOf(byte[] bytes)
    {
        using var image = Image.NewFromBuffer(bytes);
        return image.GetFields();
    }

    [Fact]
    public async Task A_photo_is_stored_without_its_GPS_position_scaled_down_with_a_thumbnail_and_cached_by_ETag()
    {
        var (id, reporter) = await ReportAsync();
        var original = JpegWithGps(3000, 1000);
        Assert.Contains(FieldsOf(original), f => f.StartsWith("exif-ifd3-GPSLatitude", StringComparison.Ordinal)); // the test file does carry GPS

        var added = await UploadAsync(reporter, id, original);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var photo = (await added.Json()).GetProperty("photos")[0];
        Assert.Equal(2048, photo.GetProperty("width").GetInt32());
        Assert.Equal(683, photo.GetProperty("height").GetInt32());

        var stored = await api.Anonymous.GetAsync(photo.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("image/jpeg", stored.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", stored.Headers.CacheControl?.ToString().Replace(" ", "", StringComparison.Ordinal).Replace(",", ", ", StringComparison.Ordinal));
        var bytes = await stored.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain(FieldsOf(bytes), f => f.StartsWith("exif", StringComparison.Ordinal) || f.Contains("gps", StringComparison.OrdinalIgnoreCase) || f == "xmp-data");
        Assert.Equal(-1, bytes.AsSpan().IndexOf("Exif\0\0"u8));
        using (var image = Image.NewFromBuffer(bytes)) Assert.Equal((2048, 683), (image.Width, image.Height));

        var thumbnail = await (await api.Anonymous.GetAsync(photo.GetProperty("thumbnailUrl").GetString())).Content.ReadAsByteArrayAsync();
        using (var small = Image.NewFromBuffer(thumbnail)) Assert.Equal((320, 107), (small.Width, small.Height));
        Assert.Equal(-1, thumbnail.AsSpan().IndexOf("Exif\0\0"u8));

        var etag = stored.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, photo.GetProperty("url").GetString());
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await api.Anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_report_takes_five_photos_of_any_accepted_format_and_refuses_a_sixth_and_strangers()
    {
        var (id, reporter) = await ReportAsync();
        using var colour = Image.Black(400, 300, bands: 4).Linear([1.0, 1, 1, 1], [200.0, 30, 30, 128]).Cast(Enums.BandFormat.Uchar);
        var uploads = new (byte[] Bytes, string Type)[]
        {
            (Jpeg(640, 480), "image/jpeg"), (colour.PngsaveBuffer(), "image/png"), (colour.WebpsaveBuffer(), "image/webp"),
            (Jpeg(100, 100), "image/jpeg"), (Jpeg(50, 80), "image/jpeg"),
        };
        foreach (var (bytes, type) in uploads) Assert.Equal(HttpStatusCode.Created, (await UploadAsync(reporter, id, bytes, "x", type)).StatusCode);
        var sixth = await UploadAsync(reporter, id, Jpeg(10, 10));
        await SensorApiTests.AssertProblem(sixth, HttpStatusCode.Conflict, null);

        var (otherId, _) = await ReportAsync();
        var stranger = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(stranger, otherId, Jpeg(10, 10))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(api.As(Roles.Official, "19753"), otherId, Jpeg(10, 10))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(api.As(Roles.Official, Commune), otherId, Jpeg(10, 10))).StatusCode);
        var view = await (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}")).Json();
        Assert.Equal(5, view.GetProperty("photos").GetArrayLength());
    }

    [Fact]
    public async Task Bad_files_are_refused_with_a_problem_naming_photo()
    {
        var (id, reporter) = await ReportAsync();
        var pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();
        await SensorApiTests.AssertProblem(await UploadAsync(reporter, id, pdf, "receipt.jpg", "image/jpeg"), HttpStatusCode.UnsupportedMediaType, "photo");
        var torn = new ByteArrayContent("--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8"u8.ToArray());
        torn.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");
        await SensorApiTests.AssertProblem(await reporter.PostAsync($"/api/v1/feedback/{id}/photos", torn), HttpStatusCode.BadRequest, "photo"); // no closing boundary

        var large = new byte[PhotoLimits.MaxBytes + 1];
        Jpeg(8, 8).CopyTo(large, 0);
        await SensorApiTests.AssertProblem(await UploadAsync(reporter, id, large), HttpStatusCode.RequestEntityTooLarge, "photo");
        var fifty = new byte[50 * 1024 * 1024];
        await SensorApiTests.AssertProblem(await UploadAsync(reporter, id, fifty), HttpStatusCode.RequestEntityTooLarge, "photo");

        await SensorApiTests.AssertProblem(await UploadAsync(reporter, id, JpegBomb(60_000)), HttpStatusCode.BadRequest, "photo");
        await SensorApiTests.AssertProblem(await UploadAsync(reporter, id, [.. Jpeg(64, 64)[..200]]), HttpStatusCode.BadRequest, "photo");
        await SensorApiTests.AssertProblem(await reporter.PostJson($"/api/v1/feedback/{id}/photos", new { photo = "x" }), HttpStatusCode.UnsupportedMediaType, null); // not multipart: refused before the handler

        var view = await (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}")).Json();
        Assert.Equal(0, view.GetProperty("photos").GetArrayLength());
    }

    [Fact]
    public async Task An_official_hides_a_photo_with_a_reason_kept_in_the_history_and_the_public_no_longer_sees_it()
    {
        var (id, reporter) = await ReportAsync();
        var photo = (await (await UploadAsync(reporter, id, Jpeg(200, 100))).Json()).GetProperty("photos")[0];
        var photoId = photo.GetProperty("id").GetString();
        var official = api.As(Roles.Official, Commune);

        await SensorApiTests.AssertProblem(await official.PostJson($"/api/v1/feedback/{id}/photos/{photoId}/hide", new { reason = " " }), HttpStatusCode.BadRequest, "reason");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, "19753").PostJson($"/api/v1/feedback/{id}/photos/{photoId}/hide", new { reason = "x" })).StatusCode);
        var hidden = await (await official.PostJson($"/api/v1/feedback/{id}/photos/{photoId}/hide", new { reason = "Ảnh có biển số xe" })).Json();
        Assert.True(hidden.GetProperty("photos")[0].GetProperty("hidden").GetBoolean());
        Assert.Equal("Ảnh có biển số xe", hidden.GetProperty("photos")[0].GetProperty("hiddenReason").GetString());
        Assert.Contains(hidden.GetProperty("history").EnumerateArray(), h => h.GetProperty("status").GetString() == "photo-hidden"
            && h.GetProperty("note").GetString()!.Contains("Ảnh có biển số xe", StringComparison.Ordinal));

        var publicView = await (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}")).Json();
        Assert.Equal(0, publicView.GetProperty("photos").GetArrayLength());
        Assert.DoesNotContain("biển số", publicView.GetProperty("history").GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync(photo.GetProperty("url").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync(photo.GetProperty("thumbnailUrl").GetString())).StatusCode);
        var forStaff = await official.GetAsync(photo.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, forStaff.StatusCode);
        Assert.True(forStaff.Headers.CacheControl!.NoStore);
        Assert.Equal(1, (await (await official.GetAsync($"/api/v1/feedback/{id}")).Json()).GetProperty("photos").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}/photos/{Guid.NewGuid():N}")).StatusCode);
    }

    [Fact]
    public async Task A_report_submitted_with_two_photos_stores_both_without_their_GPS_position()
    {
        var reporter = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var report = new { category = "traffic-infrastructure", description = "Ổ gà trước cổng trường", commune = Commune, latitude = 16.4631, longitude = 107.5903 };
        var created = await SubmitWithPhotosAsync(reporter, report, JpegWithGps(3000, 1000), JpegWithGps(400, 600));

        Assert.True(HttpStatusCode.Created == created.StatusCode, await created.Content.ReadAsStringAsync());
        var view = await created.Json();
        Assert.Equal("Ổ gà trước cổng trường", view.GetProperty("report").GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Array, view.GetProperty("possibleDuplicates").ValueKind);
        var photos = view.GetProperty("photos").EnumerateArray().ToList();
        Assert.Equal(new[] { (2048, 683), (400, 600) }, photos.Select(p => (p.GetProperty("width").GetInt32(), p.GetProperty("height").GetInt32())));
        foreach (var photo in photos)
        {
            var bytes = await api.Anonymous.GetByteArrayAsync(photo.GetProperty("url").GetString());
            Assert.DoesNotContain(FieldsOf(bytes), f => f.StartsWith("exif", StringComparison.Ordinal) || f.Contains("gps", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("Exif\0\0"u8));
        }
        var stored = await (await api.Anonymous.GetAsync(created.Headers.Location)).Json();
        Assert.Equal(2, stored.GetProperty("photos").GetArrayLength());
        Assert.Equal(2, stored.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("status").GetString() == "photo-added"));
    }

    [Fact]
    public async Task A_submission_with_a_PDF_named_jpg_or_six_photos_is_refused_naming_photo_and_creates_no_report()
    {
        var citizenId = Keys.NewCitizenId();
        var reporter = api.As(Roles.Citizen, citizenId: citizenId);
        var report = new { category = "urban-order", description = "Lấn chiếm lòng đường", commune = Commune };
        var pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

        await SensorApiTests.AssertProblem(await SubmitWithPhotosAsync(reporter, report, Jpeg(64, 64), pdf), HttpStatusCode.UnsupportedMediaType, "photo");
        var six = Enumerable.Range(0, PhotoLimits.MaxPerReport + 1).Select(_ => Jpeg(32, 32)).ToArray();
        var tooMany = await SubmitWithPhotosAsync(reporter, report, six);
        Assert.True((int)tooMany.StatusCode is >= 400 and < 500);
        await SensorApiTests.AssertProblem(tooMany, tooMany.StatusCode, "photo");
        Assert.Empty(await OwnReportsAsync(reporter, citizenId));

        // The same citizen's list does show a report once one is submitted: the empty list above is not a blind spot.
        var accepted = await SubmitWithPhotosAsync(reporter, report, Jpeg(64, 64));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(new[] { (await accepted.Json()).GetProperty("id").GetString()! }, await OwnReportsAsync(reporter, citizenId));
    }

    [Fact]
    public async Task A_report_submitted_as_JSON_still_works_and_a_multipart_one_needs_its_report_part()
    {
        var reporter = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var created = await reporter.PostJson("/api/v1/feedback", new { category = "other", description = "Đèn đường hỏng", commune = Commune, latitude = 16.46, longitude = 107.57 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Json();
        Assert.Equal("Đèn đường hỏng", view.GetProperty("report").GetProperty("description").GetString());
        Assert.Equal(0, view.GetProperty("photos").GetArrayLength());
        Assert.Equal(JsonValueKind.Array, view.GetProperty("possibleDuplicates").ValueKind);
        await SensorApiTests.AssertProblem(await reporter.PostJson("/api/v1/feedback", new { category = 7, description = "x", commune = Commune }), HttpStatusCode.BadRequest, "category");
        await SensorApiTests.AssertProblem(await reporter.PostAsync("/api/v1/feedback", new StringContent("x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, null);

        var photoOnly = new MultipartFormDataContent { { new ByteArrayContent(Jpeg(16, 16)), "photo", "a.jpg" } };
        await SensorApiTests.AssertProblem(await reporter.PostAsync("/api/v1/feedback", photoOnly), HttpStatusCode.BadRequest, "report");
        // The report may also come as a file part (what some form libraries send), still named report.
        var asFile = new MultipartFormDataContent
        {
            { new StringContent("""{"category":"other","description":"Cống tắc","commune":"19774"}""", Encoding.UTF8, "application/json"), "report", "report.json" },
            { new ByteArrayContent(Jpeg(16, 16)), "photo", "a.jpg" },
        };
        var filed = await reporter.PostAsync("/api/v1/feedback", asFile);
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        Assert.Equal(1, (await filed.Json()).GetProperty("photos").GetArrayLength());
        await SensorApiTests.AssertProblem(await reporter.PostAsync("/api/v1/feedback", new MultipartFormDataContent
        {
            { new StringContent("""{"category":"other","description":"x","commune":"19774"}"""), "report" },
            { new ByteArrayContent(Jpeg(16, 16)), "photos", "a.jpg" },
        }), HttpStatusCode.BadRequest, "photo");
        var torn = new MultipartFormDataContent { { new StringContent("{not json"), "report" } };
        await SensorApiTests.AssertProblem(await reporter.PostAsync("/api/v1/feedback", torn), HttpStatusCode.BadRequest, "report");
        await SensorApiTests.AssertProblem(await SubmitWithPhotosAsync(reporter, new { category = "other", commune = Commune }, Jpeg(16, 16)), HttpStatusCode.BadRequest, "description");
    }

    [Fact]
    public async Task A_retried_submission_with_photos_and_an_Idempotency_Key_adds_its_photos_once()
    {
        var reporter = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var report = new { category = "environment-sanitation", description = "Rác ven sông", commune = Commune };
        var (first, second) = (Jpeg(120, 80), Jpeg(80, 120));
        async Task<HttpResponseMessage> Send(params byte[][] photos)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/feedback") { Content = SubmitContent(report, photos) };
            request.Headers.Add("Idempotency-Key", "with-photos");
            return await reporter.SendAsync(request);
        }

        var created = await Send(first, second);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var retried = await Send(first, second);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var again = await retried.Json();
        Assert.Equal((await created.Json()).GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(2, again.GetProperty("photos").GetArrayLength());
        await SensorApiTests.AssertProblem(await Send(first), HttpStatusCode.UnprocessableEntity, null);
    }

    [Fact]
    public async Task Operators_and_leaders_hide_a_photo_of_a_report_waiting_in_triage_and_officials_cannot()
    {
        // Far outside Huế (Hồ Chí Minh City): no boundary and no centroid within 15 km, so no commune; it waits in triage.
        var reporter = api.As(Roles.Citizen, citizenId: Keys.NewCitizenId());
        var created = await SubmitWithPhotosAsync(reporter, new { category = "other", description = "Ảnh có người qua đường", latitude = 10.7769, longitude = 106.7009 },
            Jpeg(200, 100), Jpeg(100, 200));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Json();
        Assert.True(!view.GetProperty("report").TryGetProperty("commune", out var commune) || commune.ValueKind == JsonValueKind.Null, view.ToString());
        var id = view.GetProperty("id").GetString();
        var photoIds = view.GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();

        Assert.Equal(HttpStatusCode.Forbidden, (await api.As(Roles.Official, Commune).PostJson($"/api/v1/feedback/{id}/photos/{photoIds[0]}/hide", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reporter.PostJson($"/api/v1/feedback/{id}/photos/{photoIds[0]}/hide", new { reason = "x" })).StatusCode);
        await SensorApiTests.AssertProblem(await api.As(Roles.Operator).PostJson($"/api/v1/feedback/{id}/photos/{photoIds[0]}/hide", new { reason = "" }), HttpStatusCode.BadRequest, "reason");

        var byOperator = await api.As(Roles.Operator).PostJson($"/api/v1/feedback/{id}/photos/{photoIds[0]}/hide", new { reason = "Có mặt người / shows a face" });
        Assert.Equal(HttpStatusCode.OK, byOperator.StatusCode);
        var byLeader = await api.As(Roles.Leader).PostJson($"/api/v1/feedback/{id}/photos/{photoIds[1]}/hide", new { reason = "Có biển số xe" });
        Assert.Equal(HttpStatusCode.OK, byLeader.StatusCode);
        var hidden = await byLeader.Json();
        Assert.All(hidden.GetProperty("photos").EnumerateArray(), p => Assert.True(p.GetProperty("hidden").GetBoolean()));
        Assert.Equal(2, hidden.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("status").GetString() == "photo-hidden"));

        Assert.Equal(0, (await (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}")).Json()).GetProperty("photos").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Anonymous.GetAsync($"/api/v1/feedback/{id}/photos/{photoIds[0]}")).StatusCode);
    }
}
