// The mergekit merge methods as data: each method's parameters, types, defaults, base-model use and model
// counts, as read in mergekit's registry and method classes (HEAD a6e4028). No math here; see Methods/.
using System.Collections.Immutable;

namespace Alloy.Merging.Config;

/// <summary>The merge methods mergekit registers, described for config validation.</summary>
public static class MethodSchemas
{
    /// <summary>All twenty mergekit methods, in mergekit's registry order (static list, then decorated methods).</summary>
    public static MergeMethodSchemaTable Mergekit { get; } = new(
    [
        new("linear", BaseModelUse.NotUsed, 1, null,
        [
            Global("normalize", ParameterType.Boolean, true),
            PerModelRequired("weight"),
        ]),
        new("slerp", BaseModelUse.Required, 1, 1,
        [
            GlobalRequired("t"),
        ]),
        new("nuslerp", BaseModelUse.Optional, 2, 2,
        [
            Global("nuslerp_row_wise", ParameterType.Boolean, false),
            Global("nuslerp_flatten", ParameterType.Boolean, true),
            PerModelRequired("weight"),
        ]),
        new("passthrough", BaseModelUse.NotUsed, 1, 1,
        [
            new("scale", ParameterType.Number, ParameterScope.PerModel, false, null),
        ]),
        new("model_stock", BaseModelUse.Required, 2, null,
        [
            Global("filter_wise", ParameterType.Boolean, false),
        ]),
        new("arcee_fusion", BaseModelUse.Required, 1, 1, []),
        new("karcher", BaseModelUse.NotUsed, 1, null,
        [
            Global("max_iter", ParameterType.Integer, 10),
            Global("tol", ParameterType.Number, 1e-5),
        ]),
        TaskArithmeticFamily("task_arithmetic", normalize: false, rescale: false),
        TaskArithmeticFamily("ties", normalize: true, rescale: false),
        TaskArithmeticFamily("dare_ties", normalize: false, rescale: true),
        TaskArithmeticFamily("dare_linear", normalize: false, rescale: true),
        TaskArithmeticFamily("breadcrumbs", normalize: false, rescale: false, PerModel("gamma", 0.01)),
        TaskArithmeticFamily("breadcrumbs_ties", normalize: false, rescale: false, PerModel("gamma", 0.01)),
        TaskArithmeticFamily("della", normalize: true, rescale: true, PerModel("epsilon", 0.15)),
        TaskArithmeticFamily("della_linear", normalize: false, rescale: true, PerModel("epsilon", 0.15)),
        new("multislerp", BaseModelUse.Optional, 2, null,
        [
            PerModelRequired("weight"),
            Global("normalize_weights", ParameterType.Boolean, true),
            Global("eps", ParameterType.Number, 1e-8),
        ]),
        new("nearswap", BaseModelUse.Required, 1, 1,
        [
            GlobalRequired("t"),
        ]),
        new("sce", BaseModelUse.Required, 1, null,
        [
            Global("int8_mask", ParameterType.Boolean, false),
            Global("select_topk", ParameterType.Number, 1.0),
        ]),
        new("ram", BaseModelUse.Required, 1, null,
        [
            Global("epsilon", ParameterType.Number, 1e-5),
        ]),
        new("ramplus_tl", BaseModelUse.Required, 1, null,
        [
            Global("r", ParameterType.Number, 0.1),
            Global("alpha", ParameterType.Number, 0.2),
            Global("epsilon", ParameterType.Number, 1e-5),
        ]),
    ]);

    // mergekit's GeneralizedTaskArithmeticMerge: globals int8_mask, normalize, rescale, lambda;
    // per model weight (required) and density (1.0), plus gamma (breadcrumbs) or epsilon (della).
    private static MergeMethodSchema TaskArithmeticFamily(string name, bool normalize, bool rescale, params MergeParameterSchema[] extra) =>
        new(name, BaseModelUse.Required, 1, null,
        [
            Global("int8_mask", ParameterType.Boolean, false),
            Global("normalize", ParameterType.Boolean, normalize),
            Global("rescale", ParameterType.Boolean, rescale),
            Global("lambda", ParameterType.Number, 1.0),
            PerModelRequired("weight"),
            PerModel("density", 1.0),
            .. extra,
        ]);

    private static MergeParameterSchema Global(string name, ParameterType type, bool value) =>
        new(name, type, ParameterScope.Global, false, ParameterScalar.Of(value));

    private static MergeParameterSchema Global(string name, ParameterType type, double value) =>
        new(name, type, ParameterScope.Global, false, ParameterScalar.Of(value));

    private static MergeParameterSchema GlobalRequired(string name) =>
        new(name, ParameterType.Number, ParameterScope.Global, true, null);

    private static MergeParameterSchema PerModel(string name, double value) =>
        new(name, ParameterType.Number, ParameterScope.PerModel, false, ParameterScalar.Of(value));

    private static MergeParameterSchema PerModelRequired(string name) =>
        new(name, ParameterType.Number, ParameterScope.PerModel, true, null);
}
