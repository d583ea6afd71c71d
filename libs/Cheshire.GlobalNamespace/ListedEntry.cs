namespace Cheshire.GlobalNamespace;

/// <summary>A child as a viewer sees it: the label it is listed and walked by, and the entry behind it.</summary>
public sealed record ListedEntry(string Label, NamespaceEntry Entry);
