using System.Xml.Linq;

namespace Cheshire.Supervisor.Reload;

/// <summary>Reads a TRX results file (what the xunit runner writes with -trx).</summary>
public static class TrxResults
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>How many tests ran, and those that did not pass with their messages.</summary>
    public static (int Total, IReadOnlyList<TestFailure> Failures) Read(string path)
    {
        var results = XDocument.Load(path).Descendants(Ns + "UnitTestResult").ToList();
        var failures = results
            .Where(r => (string?)r.Attribute("outcome") is not ("Passed" or "NotExecuted"))
            .Select(r => new TestFailure(
                (string?)r.Attribute("testName") ?? "",
                string.Join('\n', new[]
                {
                    r.Descendants(Ns + "ErrorInfo").Elements(Ns + "Message").FirstOrDefault()?.Value,
                    FirstLines(r.Descendants(Ns + "ErrorInfo").Elements(Ns + "StackTrace").FirstOrDefault()?.Value, 2),
                }.Where(s => !string.IsNullOrWhiteSpace(s))).Trim()))
            .ToList();
        return (results.Count, failures);
    }

    private static string? FirstLines(string? text, int lines) =>
        text is null ? null : string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(lines));
}
