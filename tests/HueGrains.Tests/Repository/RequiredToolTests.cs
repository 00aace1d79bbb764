using HueGrains.Testing;

namespace HueGrains.Tests.Repository;

/// <summary>
/// The README's test command on a fresh machine: the programs the tests drive (chromium, mosquitto_pub, initdb) are
/// found, or installed once by the tests themselves, or the test fails with one line saying what to install; and CI runs
/// that same command rather than installing them beforehand.
/// </summary>
public class RequiredToolTests
{
    private static string UniqueTool() => $"hue-test-tool-{Guid.NewGuid():N}";

    private static string FakeExecutable(string directory, string name)
    {
        var file = Path.Combine(directory, name);
        File.WriteAllText(file, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return file;
    }

    [Fact]
    public void A_tool_on_the_PATH_is_used_without_installing_anything()
    {
        var dir = Directory.CreateTempSubdirectory("hue-tool-").FullName;
        try
        {
            var tool = UniqueTool();
            Assert.Null(RequiredTool.OnPath(tool, dir));
            var file = FakeExecutable(dir, tool);
            var path = $"/nonexistent-{Guid.NewGuid():N}{Path.PathSeparator}{dir}";
            Assert.Equal(file, RequiredTool.OnPath(tool, path));
            Assert.Equal(file, RequiredTool.Ensure(tool, "some-package", () => RequiredTool.OnPath(tool, path),
                _ => throw new InvalidOperationException("nothing should be installed")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_tool_is_installed_once_for_all_the_tests_that_need_it()
    {
        var dir = Directory.CreateTempSubdirectory("hue-tool-").FullName;
        try
        {
            var tool = UniqueTool();
            var installs = 0;
            string? Install(string package)
            {
                Assert.Equal("the-package", package);
                Interlocked.Increment(ref installs);
                Thread.Sleep(200); // apt-get takes a while; other tests ask meanwhile
                FakeExecutable(dir, tool);
                return null;
            }
            var found = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
                Task.Run(() => RequiredTool.Ensure(tool, "the-package", () => RequiredTool.OnPath(tool, dir), Install))));
            Assert.Equal(1, installs);
            Assert.All(found, path => Assert.Equal(Path.Combine(dir, tool), path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_tool_that_cannot_be_installed_fails_the_test_with_one_line_saying_what_to_install()
    {
        var tool = UniqueTool();
        var failure = Assert.Throws<InvalidOperationException>(() => RequiredTool.Ensure(tool, "the-package", () => null,
            _ => "not root, and sudo is missing or asks for a password\nE: second line of apt's answer"));
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Contains(tool, failure.Message, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get install the-package", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not root, and sudo is missing or asks for a password", failure.Message, StringComparison.Ordinal);

        // Installed, yet still not there (a package that does not hold it): also one line, naming both.
        var other = UniqueTool();
        var wrongPackage = Assert.Throws<InvalidOperationException>(() => RequiredTool.Ensure(other, "the-package", () => null, _ => null));
        Assert.DoesNotContain('\n', wrongPackage.Message);
        Assert.Contains($"the-package is installed but has no {other}", wrongPackage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CI_runs_the_READMEs_test_command_and_installs_nothing_the_tests_need_itself()
    {
        var root = Checkout.Root;
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var quickStart = readme[readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        quickStart = quickStart[..quickStart.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var commands = quickStart.Split("```")[1].Split('\n').Skip(1)
            .Select(line => line.Split('#')[0].Trim()).Where(line => line.Length > 0).ToList();
        Assert.Equal(2, commands.Count); // Quick start stays two commands
        var test = Assert.Single(commands, c => c.StartsWith("dotnet test", StringComparison.Ordinal));

        var ci = string.Join('\n', File.ReadAllLines(Path.Combine(root, ".ci", "run")).Where(line => !line.TrimStart().StartsWith('#')));
        Assert.Contains(test + " ", ci, StringComparison.Ordinal);
        foreach (var installedByTheTests in new[] { "apt-get", "apt install", "apt_install", "chromium", "mosquitto", "postgresql", "initdb" })
            Assert.DoesNotContain(installedByTheTests, ci, StringComparison.OrdinalIgnoreCase);
    }
}
