namespace Cheshire.GlobalNamespace;

/// <summary>What a child entry stands for.</summary>
public enum EntryKind
{
    /// <summary>An export: dial the node at the entry's addresses, attach, walk.</summary>
    Export = 1,

    /// <summary>An ancestor of exports: its own children are under its directory key.</summary>
    Directory = 2,

    /// <summary>The publisher removed this child: replaces its earlier value until that would have expired.</summary>
    Withdrawn = 3,
}
