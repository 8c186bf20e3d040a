// trim_scope: global: a streamed first pass over every merged tensor's task vectors that finds one magnitude
// threshold per model (histograms, never a sort) and hands it to each tensor's settings. It merges nothing.
using System.Collections.Immutable;
using Alloy.Merging.Methods;
using Alloy.Merging.Plan;
using Alloy.Tensors;
using Alloy.Tensors.Checkpoints;

namespace Alloy.Merging.Execution;

/// <summary>
/// Resolves <see cref="TrimScope.Global"/> for the magnitude-trimming task-vector methods (ties, breadcrumbs,
/// breadcrumbs_ties): for each (model, base) pair, the kept set is ranked over the deltas of every tensor the plan
/// merges with a global trim, and the resulting thresholds become <see cref="TaskArithmeticSettings.GlobalBands"/>;
/// and for surgical/avg_override: top_k is ranked over donor − receiver of every tensor (<see cref="TopKDifferenceSettings.GlobalCut"/>).
/// </summary>
public static class GlobalTrimPass
{
    private const int ChunkElements = 1 << 18;

    /// <summary>One model's global trim: its density (and gamma) and the estimators for its one or two ranks.</summary>
    private sealed class ModelTrim(float density, float gamma, bool outliers, string firstTensor)
    {
        public float Density { get; } = density;
        public float Gamma { get; } = gamma;
        public bool Outliers { get; } = outliers;
        public string FirstTensor { get; } = firstTensor;
        public MagnitudeThresholdEstimator Keep { get; } = new();
        public MagnitudeThresholdEstimator Remove { get; } = new();
        public long KeepRank { get; set; }
        public long RemoveRank { get; set; }
        public TrimBand Band { get; set; } = new(RankCut.All, RankCut.None);
    }

    /// <summary>True when some tensor of <paramref name="plan"/> uses a global trim that is not resolved yet.</summary>
    public static bool IsNeeded(MergePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Tensors.Any(t => NeedsBands(t) || NeedsCut(t));
    }

    /// <summary>One tensor's part of a pass: the reference (base, or the receiver) and each model fed against it.</summary>
    private sealed record WorkItem(PlannedTensor Tensor, TensorSource Reference, (TensorSource Model, ModelTrim Trim)[] Feeds);

    private static bool NeedsCut(PlannedTensor t) =>
        t.Settings is TopKDifferenceSettings { TrimScope: TrimScope.Global, GlobalCut: null } && t.Inputs.Length == 2;

    private static bool NeedsBands(PlannedTensor t) =>
        t.Method is TaskArithmeticMethod { Variant.Sparsification: Sparsification.Magnitude or Sparsification.MagnitudeOutliers }
        && t.Settings is TaskArithmeticSettings { TrimScope: TrimScope.Global, GlobalBands: null };

    /// <summary>
    /// Returns <paramref name="plan"/> with the global bands filled in (the plan itself when none is needed).
    /// Reads every globally trimmed tensor and its base twice (histogram pass, then the exact refinement pass).
    /// A model keeps every delta entry whose magnitude is at least its k-th largest over the whole model, k = ⌊density·N⌋
    /// (ties at the threshold are all kept); breadcrumbs also removes those at least its ⌊gamma·N⌋-th largest.
    /// </summary>
    /// <exception cref="AlloyInputException">A model's density or gamma differs between tensors (a global trim has one per model).</exception>
    public static MergePlan Resolve(MergePlan plan, IReadOnlyList<Checkpoint> models, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(models);
        if (!IsNeeded(plan))
            return plan;
        var trims = new Dictionary<(int Model, int Base), ModelTrim>();
        var cuts = new Dictionary<(int Donor, int Receiver), ModelTrim>();
        var work = new List<WorkItem>();
        foreach (var t in plan.Tensors.Where(NeedsCut))
        {
            var settings = (TopKDifferenceSettings)t.Settings!;
            var key = (t.Inputs[1].Model, t.Inputs[0].Model);
            if (cuts.TryGetValue(key, out var cut))
            {
                if (cut.Density != settings.TopK)
                    throw new AlloyInputException($"trim_scope global ranks the differences once over the whole model, so {t.Method!.Name} needs one top_k: tensor '{cut.FirstTensor}' has {cut.Density} but '{t.Name}' has {settings.TopK}; use one value, or trim_scope: tensor");
            }
            else
            {
                cuts[key] = cut = new ModelTrim(settings.TopK, 0, false, t.Name);
            }
            if (settings.TopK > 0 && settings.TopK < 1)
                work.Add(new WorkItem(t, t.Inputs[0], [(t.Inputs[1], cut)]));
        }
        foreach (var t in plan.Tensors.Where(NeedsBands))
        {
            var settings = (TaskArithmeticSettings)t.Settings!;
            var outliers = ((TaskArithmeticMethod)t.Method!).Variant.Sparsification == Sparsification.MagnitudeOutliers;
            var baseSource = t.Base ?? throw new AlloyInputException($"tensor '{t.Name}': {t.Method!.Name} with trim_scope global needs a base model");
            var feeds = new List<(TensorSource, ModelTrim)>();
            for (var i = 0; i < t.Inputs.Length; i++)
            {
                var density = settings.Densities[i];
                var gamma = outliers && settings.Gammas is { } g ? g[i] : 0.01f;
                var key = (t.Inputs[i].Model, baseSource.Model);
                if (trims.TryGetValue(key, out var trim))
                {
                    if (trim.Density != density || (outliers && trim.Gamma != gamma))
                        throw new AlloyInputException($"trim_scope global ranks each model once over the whole model, so model {plan.Models[key.Item1]} needs one density{(outliers ? " and gamma" : "")}: "
                            + $"tensor '{trim.FirstTensor}' has density {trim.Density}{(outliers ? $", gamma {trim.Gamma}" : "")} but '{t.Name}' has density {density}{(outliers ? $", gamma {gamma}" : "")}; use one value, or trim_scope: tensor");
                }
                else
                {
                    trims[key] = trim = new ModelTrim(density, gamma, outliers, t.Name);
                }
                if (density < 1)
                    feeds.Add((t.Inputs[i], trim));
            }
            if (feeds.Count > 0)
                work.Add(new WorkItem(t, baseSource, [.. feeds]));
        }

        // Pass 1: magnitude histograms of every delta, per model.
        Stream(work, models, cancellation, (trim, x, b) =>
        {
            trim.Keep.AddDifferences(x, b);
            if (trim.Outliers) trim.Remove.AddDifferences(x, b);
        });
        var refine = new List<ModelTrim>();
        foreach (var trim in trims.Values.Concat(cuts.Values).Where(t => t.Density < 1 && t.Keep.Count > 0))
        {
            var total = trim.Keep.Count;
            (trim.KeepRank, trim.RemoveRank) = trim.Outliers
                ? TaskArithmeticFamily.BreadcrumbsCounts(trim.Density, trim.Gamma, total)
                : (MagnitudeSelection.CountForFraction(trim.Density, total), 0);
            if (trim.KeepRank > 0 && trim.KeepRank < total) trim.Keep.BeginRefinement(trim.KeepRank);
            if (trim.RemoveRank > 0 && trim.RemoveRank < total) trim.Remove.BeginRefinement(trim.RemoveRank);
            refine.Add(trim);
        }

        // Pass 2: the exact k-th largest magnitudes.
        Stream(work, models, cancellation, (trim, x, b) =>
        {
            if (trim.KeepRank > 0 && trim.KeepRank < trim.Keep.Count) trim.Keep.RefineDifferences(x, b);
            if (trim.RemoveRank > 0 && trim.RemoveRank < trim.Remove.Count) trim.Remove.RefineDifferences(x, b);
        });
        foreach (var trim in refine)
            trim.Band = new TrimBand(CutAt(trim.Keep, trim.KeepRank), CutAt(trim.Remove, trim.RemoveRank));

        var tensors = plan.Tensors.Select(t =>
        {
            if (NeedsCut(t))
            {
                var cut = cuts[(t.Inputs[1].Model, t.Inputs[0].Model)];
                var whole = cut.Density <= 0 ? RankCut.None : cut.Density >= 1 ? RankCut.All : cut.Band.Keep;
                return t with { Settings = (TopKDifferenceSettings)t.Settings! with { GlobalCut = whole } };
            }
            if (!NeedsBands(t))
                return t;
            var baseModel = t.Base!.Model;
            var bands = t.Inputs.Select(i => trims[(i.Model, baseModel)].Band).ToImmutableArray();
            return t with { Settings = (TaskArithmeticSettings)t.Settings! with { GlobalBands = bands } };
        });
        return plan with { Tensors = [.. tensors] };
    }

    private static RankCut CutAt(MagnitudeThresholdEstimator estimator, long rank) =>
        rank <= 0 ? RankCut.None : rank >= estimator.Count ? RankCut.All : estimator.Cut();

    /// <summary>Feeds each globally trimmed (tensor, model) delta, model − reference, to <paramref name="feed"/> chunk by chunk.</summary>
    private static void Stream(List<WorkItem> work, IReadOnlyList<Checkpoint> models, CancellationToken cancellation, Feed feed)
    {
        var x = new float[ChunkElements];
        var b = new float[ChunkElements];
        var scratch = new byte[1 << 20];
        foreach (var item in work)
        {
            var reference = models[item.Reference.Model].GetTensor(item.Reference.Name);
            var inputs = item.Feeds.Select(f => models[f.Model.Model].GetTensor(f.Model.Name)).ToArray();
            var n = item.Tensor.ElementCount;
            for (long start = 0; start < n; start += ChunkElements)
            {
                cancellation.ThrowIfCancellationRequested();
                var length = (int)Math.Min(ChunkElements, n - start);
                reference.ReadFloat32(start, b.AsSpan(0, length), scratch);
                for (var i = 0; i < inputs.Length; i++)
                {
                    inputs[i].ReadFloat32(start, x.AsSpan(0, length), scratch);
                    feed(item.Feeds[i].Trim, x.AsSpan(0, length), b.AsSpan(0, length));
                }
            }
        }
    }

    private delegate void Feed(ModelTrim trim, ReadOnlySpan<float> model, ReadOnlySpan<float> baseModel);
}
