using HueGrains.Grains.Geo;

namespace HueGrains.Tests.Domain;

public class BoundaryIndexTests
{
    private static CommuneBoundary Boundary(string commune, string json, long version = 1) =>
        new(commune, BoundaryGeometry.Parse(json).Json, version, DateTimeOffset.UnixEpoch);

    private static readonly BoundaryIndex Squares = BoundaryIndex.Build(
    [
        Boundary(Http.SyntheticSquares.West, Http.SyntheticSquares.WestSquare, 1),
        Boundary(Http.SyntheticSquares.East, Http.SyntheticSquares.EastSquare, 2),
    ]);

    [Fact]
    public void A_position_inside_one_boundary_is_placed_there()
    {
        Assert.Equal(new Placement(Http.SyntheticSquares.West, Routing.Boundary), Squares.Locate(16.47, 107.57));
        Assert.Equal(new Placement(Http.SyntheticSquares.East, Routing.Boundary), Squares.Locate(16.47, 107.59));
        Assert.Equal(2, Squares.Version);
    }

    [Fact]
    public void Without_a_boundary_the_nearest_centroid_within_15_km_places_it_approximately_and_farther_is_outside()
    {
        Assert.Equal(new Placement("19774", Routing.Approximate), Squares.Locate(16.455, 107.545)); // Kim Long's centroid, 600 m away
        // Inside nothing, and the communes with boundaries are not candidates: the nearest centroid of the others decides.
        Assert.NotEqual(Http.SyntheticSquares.West, Squares.Locate(16.485, 107.57).Commune);
        var far = Squares.Locate(10.7769, 106.7009);
        Assert.Null(far.Commune);
        Assert.Contains("outside", far.Unplaced, StringComparison.Ordinal);
        // 0.2° of latitude (22 km) north of the northernmost centroid (Phong Quảng, 16.65): outside.
        Assert.Null(Squares.Locate(16.85, 107.45).Commune);
    }

    [Fact]
    public void A_position_on_two_boundaries_is_ambiguous()
    {
        var edge = Squares.Locate(16.47, 107.58);
        Assert.Null(edge.Commune);
        Assert.Contains("ambiguous", edge.Unplaced, StringComparison.Ordinal);
    }

    [Fact]
    public void When_every_commune_has_a_boundary_a_position_in_none_is_outside()
    {
        var all = BoundaryIndex.Build([.. CityMap.Communes.Select((c, i) => Boundary(c.Code,
            Http.SyntheticSquares.Square(103 + i * 0.1, 9, 103.05 + i * 0.1, 9.05), i + 1))]);
        Assert.Equal(new Placement(CityMap.Communes[0].Code, Routing.Boundary), all.Locate(9.02, 103.02));
        Assert.Null(all.Locate(16.46, 107.59).Commune); // central Huế, but no boundary covers it and no centroid stands in
    }

    [Fact]
    public void Covers_tells_a_sensor_outside_its_communes_boundary_and_says_nothing_without_one()
    {
        Assert.True(Squares.Covers(Http.SyntheticSquares.West, 16.47, 107.57));
        Assert.False(Squares.Covers(Http.SyntheticSquares.West, 16.47, 107.59));
        Assert.Null(Squares.Covers("19774", 16.47, 107.59));
    }

    [Fact]
    public void A_MultiPolygon_with_a_hole_places_positions_in_its_parts_but_not_in_the_hole()
    {
        const string json = """
            {"type":"MultiPolygon","coordinates":[
              [[[107.0,16.0],[107.1,16.0],[107.1,16.1],[107.0,16.1],[107.0,16.0]],[[107.04,16.04],[107.06,16.04],[107.06,16.06],[107.04,16.06],[107.04,16.04]]],
              [[[107.2,16.0],[107.3,16.0],[107.3,16.1],[107.2,16.1],[107.2,16.0]]]]}
            """;
        var index = BoundaryIndex.Build([Boundary("20050", json)]);
        Assert.Equal("20050", index.Locate(16.02, 107.02).Commune);
        Assert.Equal("20050", index.Locate(16.05, 107.25).Commune);
        Assert.NotEqual(Routing.Boundary, index.Locate(16.05, 107.05).Routing);
    }

    [Theory]
    [InlineData("""{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.48],[107.58,16.46],[107.56,16.48],[107.56,16.46]]]}""", "coordinates", "Self-intersection")]
    [InlineData("""{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.46],[107.58,16.48],[107.56,16.46]],[[107.0,16.0],[107.01,16.0],[107.01,16.01],[107.0,16.0]]]}""", "coordinates", "Hole")]
    [InlineData("""{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.46],[107.56,16.46]]]}""", "coordinates[0]", "at least 4")]
    [InlineData("""{"type":"Polygon","coordinates":[[[107.56,16.46],[107.58,16.46],[107.58,16.48],[107.56,16.49]]]}""", "coordinates[0]", "not closed")]
    [InlineData("""{"type":"Polygon","coordinates":[[[16.46,107.56],[16.46,107.58],[16.48,107.58],[16.46,107.56]]]}""", "coordinates[0][0]", "swapped")]
    [InlineData("""{"type":"Polygon","coordinates":[[[107.56,"16.46"],[107.58,16.46],[107.58,16.48],[107.56,16.46]]]}""", "coordinates[0][0]", "[longitude, latitude]")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[]}""", "coordinates", "at least one")]
    [InlineData("""{"type":"Feature","geometry":{"type":"Point","coordinates":[107.5,16.4]}}""", "geometry.type", "Polygon")]
    [InlineData("""{"type":"FeatureCollection","features":[]}""", "type", "not FeatureCollection")]
    [InlineData("""[1,2]""", "type", null)]
    public void Bad_boundaries_name_the_field(string json, string field, string? says)
    {
        var error = Assert.Throws<HueValidationException>(() => BoundaryGeometry.Parse(json));
        Assert.True(error.Errors.ContainsKey(field), $"errors: {string.Join("; ", error.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        if (says is not null) Assert.Contains(says, error.Errors[field][0], StringComparison.Ordinal);
    }
}
