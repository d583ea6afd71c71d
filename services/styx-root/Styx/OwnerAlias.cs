namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// name@uid8: how a remote name of another owner is shown when a local name hides it (the form styx-client gives a name
/// two owners publish, see libs/Cheshire.GlobalNamespace EntrySelection).
/// </summary>
public static class OwnerAlias
{
    public const int UidDigits = 8;

    public static string Of(string name, string ownerUid) => $"{name}@{ownerUid[..Math.Min(UidDigits, ownerUid.Length)]}";

    /// <summary>Splits name@uid8 (or name@uid40); false for anything else.</summary>
    public static bool TryParse(string label, out string name, out string uidPrefix)
    {
        var at = label.LastIndexOf('@');
        name = at > 0 ? label[..at] : "";
        uidPrefix = at > 0 ? label[(at + 1)..] : "";
        return at > 0 && uidPrefix.Length is UidDigits or 40 && uidPrefix.All(char.IsAsciiHexDigit);
    }
}
