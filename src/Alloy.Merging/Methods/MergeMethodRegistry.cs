// The list of merge methods by config name, for the config layer to look up and validate against.
// Adding a method means adding its file and one line here.
using Alloy.Tensors;

namespace Alloy.Merging.Methods;

/// <summary>Every merge method Alloy knows, by its config name.</summary>
public static class MergeMethodRegistry
{
    /// <summary>All methods, in documentation order.</summary>
    public static IReadOnlyList<IMergeMethod> All { get; } =
    [
        Linear.Method,
        Slerp.Method,
        NuSlerp.Method,
        MultiSlerp.Method,
        Karcher.Method,
        TaskArithmetic.Method,
        Ties.Method,
        DareLinear.Method,
        DareTies.Method,
        Breadcrumbs.Method,
        BreadcrumbsTies.Method,
        Della.Method,
        DellaLinear.Method,
        ModelStock.Method,
        Sce.Method,
        NearSwap.Method,
        Passthrough.Method,
        Surgical.Method,
        AvgOverride.Method,
    ];

    private static readonly Dictionary<string, IMergeMethod> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>Looks up a method by its exact config name.</summary>
    public static bool TryGet(string name, out IMergeMethod method)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (ByName.TryGetValue(name, out IMergeMethod? found))
        {
            method = found;
            return true;
        }
        method = null!;
        return false;
    }

    /// <summary>The method named <paramref name="name"/>, or an <see cref="AlloyInputException"/> that lists the known names.</summary>
    public static IMergeMethod Get(string name, string context)
    {
        if (TryGet(name, out IMergeMethod method)) return method;
        throw new AlloyInputException($"{context}: unknown merge_method '{name}'; known methods: {string.Join(", ", All.Select(m => m.Name))}");
    }
}
