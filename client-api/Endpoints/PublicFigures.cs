using System.Text.Json;

namespace HueGrains.Api.Endpoints;

/// <summary>
/// Public indicator answers follow <see cref="Disclosure"/>: callers who are not staff (anonymous, citizens) get the
/// counts about people coarsened; officials, leaders and operators get them exact.
/// </summary>
public sealed class PublicFigures : IEndpointFilter
{
    public static bool SeesExactCounts(ClaimsPrincipal user) => SeesExactCounts(user.ToActor());

    public static bool SeesExactCounts(Actor reader) => reader.Role is Roles.Official or Roles.Leader or Roles.Operator;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (SeesExactCounts(context.HttpContext.User)) return result;
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        if (inner is not (IValueHttpResult { Value: { } value } and IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })) return result;
        return TypedResults.Json(CoarsenNode(value), HueJson.Options);
    }

    /// <summary>A view's JSON as the public reads it.</summary>
    public static byte[] Coarsen(object value) => JsonSerializer.SerializeToUtf8Bytes(CoarsenNode(value), HueJson.Options);

    private static System.Text.Json.Nodes.JsonNode? CoarsenNode(object value)
    {
        var node = Disclosure.Apply(JsonSerializer.SerializeToNode(value, value.GetType(), HueJson.Options), HueJson.Options);
        if (value is CityView city) Disclosure.ApplyCity(node?["indicators"]?.AsObject(), city); // the total beside its parts
        return node;
    }
}
