using System.Text.RegularExpressions;

namespace HueGrains.Tests.Repository;

/// <summary>The repository root, found from the test assembly's directory.</summary>
public static class Checkout
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HueGrains.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}

/// <summary>No secret of a run lands in the checkout: neither committed device keys nor a tutorial's scratch files.</summary>
public partial class CheckoutTests
{
    /// <summary>Build output, test results, version control and editor state: never committed, never scanned.</summary>
    private static readonly HashSet<string> NotSource = new(StringComparer.Ordinal) { ".git", "bin", "obj", "TestResults", "node_modules", ".vs", ".idea" };

    [GeneratedRegex("\"deviceKey\"\\s*:\\s*\"[^\"]{8,}\"")]
    private static partial Regex DeviceKeyValue();

    // `tee FILE`, `tee -a FILE`, `> FILE`, `>> FILE` (not `2>&1`).
    [GeneratedRegex("(?:\\btee\\s+(?:-a\\s+)?|(?<![0-9&>])>>?\\s*)(?<target>[^\\s|;&)]+)")]
    private static partial Regex WrittenFile();

    private static IEnumerable<string> Files(string dir) =>
        Directory.EnumerateFiles(dir).Concat(Directory.EnumerateDirectories(dir)
            .Where(sub => !NotSource.Contains(Path.GetFileName(sub)))
            .SelectMany(Files));

    [Fact]
    public void No_file_in_the_checkout_holds_a_device_key()
    {
        var withKeys = Files(Checkout.Root)
            .Where(file => new FileInfo(file).Length < 4_000_000)
            .Where(file => DeviceKeyValue().IsMatch(File.ReadAllText(file)))
            .Select(file => Path.GetRelativePath(Checkout.Root, file))
            .ToList();
        Assert.True(withKeys.Count == 0, $"Device keys in the checkout: {string.Join(", ", withKeys)}");
    }

    [Fact]
    public void The_README_tutorial_writes_its_scratch_files_outside_the_checkout()
    {
        // The README's commands run from the repository root (`dotnet run --project silo`), so a relative path lands in it.
        var readme = File.ReadAllText(Path.Combine(Checkout.Root, "README.md"));
        var shell = readme.Split("```").Where((_, i) => i % 2 == 1).Where(block => block.StartsWith("sh", StringComparison.Ordinal));
        var intoCheckout = shell.SelectMany(block => WrittenFile().Matches(block))
            .Select(match => match.Groups["target"].Value)
            .Where(target => !target.StartsWith('/') && !target.StartsWith('$') && !target.StartsWith("\"$", StringComparison.Ordinal) && !target.StartsWith('&'))
            .ToList();
        Assert.True(intoCheckout.Count == 0, $"The README writes into the checkout: {string.Join(", ", intoCheckout)}");
    }
}
