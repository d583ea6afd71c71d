using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// The configuration keys of a settings class as the configuration binder sees them: its public properties that can
/// be set (or a list, map or nested settings object it fills in place), a list's or map's items one key further down.
/// </summary>
public static class SettingsKeys
{
    private const int MaxDepth = 8;

    /// <summary>A setting: its key, the type its value converts to, and whether it is a list or map (one more key segment).</summary>
    public sealed record Key(string Path, Type Type, bool IsCollection);

    /// <summary>Every key of <paramref name="type"/> under <paramref name="section"/>, in declaration order.</summary>
    public static IReadOnlyList<Key> Of(Type type, string section)
    {
        var keys = new List<Key>();
        Collect(type, section, keys, 0);
        return keys;
    }

    /// <summary>
    /// <paramref name="key"/> (below <paramref name="section"/>) spelled as <paramref name="type"/> declares it, and the
    /// type of its value; null when the type has no such setting.
    /// </summary>
    public static (string Key, Type Type)? Resolve(Type type, string section, string key)
    {
        if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
            return null;
        var segments = key[(section.Length + 1)..].Split(':');
        var path = section;
        var current = type;
        for (var i = 0; i < segments.Length; i++)
        {
            if (ItemType(current) is { } itemType)
            {
                if (segments[i].Length == 0)
                    return null;
                path += ":" + segments[i];
                current = itemType;
                continue;
            }
            if (IsLeaf(current))
                return null;
            var property = Properties(current).FirstOrDefault(p => string.Equals(p.Name, segments[i], StringComparison.OrdinalIgnoreCase));
            if (property is null)
                return null;
            path += ":" + property.Name;
            current = property.PropertyType;
        }
        // A whole list, map or settings object takes no single value.
        return IsLeaf(current) ? (path, current) : null;
    }

    /// <summary>The values of <paramref name="settings"/> by key, as text (invariant culture).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Values(object settings, string section)
    {
        var values = new List<KeyValuePair<string, string>>();
        CollectValues(settings, section, values, 0);
        return values;
    }

    /// <summary>A value as the configuration binder would read it back.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The friendly name of a setting's type: Double, TimeSpan, List&lt;String&gt;.</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
            return Describe(type.GetElementType()!) + "[]";
        if (!type.IsGenericType)
            return type.Name;
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    /// <summary>What the binder converts from one text value (the binder's own rule: a type converter from string).</summary>
    public static bool IsLeaf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(object) ||
               TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
    }

    private static void Collect(Type type, string prefix, List<Key> keys, int depth)
    {
        if (depth > MaxDepth)
            return;
        foreach (var property in Properties(type))
        {
            var path = $"{prefix}:{property.Name}";
            var propertyType = property.PropertyType;
            if (IsLeaf(propertyType))
                keys.Add(new Key(path, propertyType, false));
            else if (ItemType(propertyType) is not null)
                keys.Add(new Key(path, propertyType, true));
            else
                Collect(propertyType, path, keys, depth + 1);
        }
    }

    private static void CollectValues(object value, string prefix, List<KeyValuePair<string, string>> values, int depth)
    {
        if (depth > MaxDepth)
            return;
        foreach (var property in Properties(value.GetType()))
        {
            var path = $"{prefix}:{property.Name}";
            var item = property.GetValue(value);
            if (item is null)
                continue;
            if (IsLeaf(property.PropertyType))
                values.Add(new(path, Format(item)));
            else if (item is IDictionary map)
                foreach (DictionaryEntry entry in map)
                    AddItem(values, $"{path}:{entry.Key}", entry.Value, depth);
            else if (item is IEnumerable list && ItemType(property.PropertyType) is not null)
            {
                var index = 0;
                foreach (var element in list)
                    AddItem(values, $"{path}:{index++}", element, depth);
            }
            else
                CollectValues(item, path, values, depth + 1);
        }
    }

    private static void AddItem(List<KeyValuePair<string, string>> values, string path, object? item, int depth)
    {
        if (item is null || IsLeaf(item.GetType()))
            values.Add(new(path, Format(item)));
        else
            CollectValues(item, path, values, depth + 1);
    }

    /// <summary>Public instance properties the binder fills: settable ones, and objects it can fill in place.</summary>
    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true } &&
                        (p.SetMethod is { IsPublic: true } || !IsLeaf(p.PropertyType)));

    /// <summary>The item type of a list, array or map with string keys; null for anything else.</summary>
    private static Type? ItemType(Type type)
    {
        if (type == typeof(string))
            return null;
        if (type.IsArray)
            return type.GetElementType();
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
                         (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>) || d == typeof(Dictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null)
            return dictionary.GetGenericArguments()[1];
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }
}
