// Checks a read config against its method's schema: base model use, models per slice, equal slice lengths,
// parameter names, scopes and types, required parameters, and Alloy's scope. It changes nothing.
using Alloy.Tensors;

namespace Alloy.Merging.Config;

/// <summary>Semantic checks of a <see cref="MergeConfig"/> that need the method schema.</summary>
internal static class MergeConfigValidator
{
    public static void Validate(MergeConfig config, MergeConfigParser.ReadFacts facts)
    {
        var method = config.Method;
        CheckBaseModel(config, facts);
        CheckParameterBlock(config.Parameters, method, allowPerModel: true, allowGlobal: true, "parameters", "");
        if (config.UsesSlices)
        {
            for (var i = 0; i < config.Slices.Length; i++) CheckSlice(config, i, facts);
        }
        else
        {
            CheckModels(config, facts);
        }
        CheckScope(config, facts);
        CheckTokenizer(config);
    }

    private static void CheckBaseModel(MergeConfig config, MergeConfigParser.ReadFacts facts)
    {
        if (config.Method.BaseModel != BaseModelUse.Required || config.BaseModel is not null) return;
        if (config.UsesSlices && config.Slices.All(s => s.BaseModel is not null)) return;
        throw ConfigErrors.At(facts.MethodPosition,
            $"merge_method '{config.Method.Name}' needs base_model, which is missing",
            "expected base_model: the model the others are merged against (e.g. the shared pretrained base)");
    }

    private static void CheckModels(MergeConfig config, MergeConfigParser.ReadFacts facts)
    {
        var method = config.Method;
        var seen = new Dictionary<ModelReference, InputModel>();
        for (var i = 0; i < config.Models.Length; i++)
        {
            var model = config.Models[i];
            if (seen.TryGetValue(model.Model, out var first))
                throw ConfigErrors.At(model.Model.Position, $"model {ConfigErrors.Quote(model.Model.ToString())} is listed twice (first at line {first.Position.Line})",
                    "expected each input model once");
            seen[model.Model] = model;
            CheckParameterBlock(model.Parameters, method, allowPerModel: true, allowGlobal: false, $"models[{i}].parameters", $" (model {model.Model})");
        }

        // mergekit adds the base model as one more input when models: does not list it.
        var inputs = config.Models.Select(m => m.Model).ToList();
        if (config.BaseModel is { } b && !inputs.Contains(b)) inputs.Add(b);
        CheckModelCount(method, inputs, config.BaseModel, facts.MethodPosition, "models");

        foreach (var p in method.Parameters.Where(p => p.Required))
        {
            if (p.Scope == ParameterScope.Global)
            {
                if (!config.Parameters.Contains(p.Name)) throw MissingGlobal(p, method, facts.MethodPosition);
                continue;
            }
            if (method.BaseModel == BaseModelUse.NotUsed && config.BaseModel is { } added &&
                !config.Models.Any(m => m.Model.Equals(added)) && !config.Parameters.Contains(p.Name))
                throw ConfigErrors.At(added.Position,
                    $"'{method.Name}' has no base model, so base_model {ConfigErrors.Quote(added.ToString())} is merged as one more input, and it has no '{p.Name}'",
                    $"expected base_model removed, or listed under models with parameters: {{{p.Name}: ...}}");
            foreach (var model in config.Models)
            {
                if (IsBase(method, model.Model, config.BaseModel)) continue;
                if (!model.Parameters.Contains(p.Name) && !config.Parameters.Contains(p.Name))
                    throw ConfigErrors.At(model.Position, $"model {ConfigErrors.Quote(model.Model.ToString())} has no '{p.Name}', which merge_method '{method.Name}' requires",
                        $"expected parameters: {{{p.Name}: ...}} under this model, or {p.Name} in the top-level parameters");
            }
        }
    }

    private static void CheckSlice(MergeConfig config, int index, MergeConfigParser.ReadFacts facts)
    {
        var method = config.Method;
        var slice = config.Slices[index];
        var where = $"slices[{index}]";
        var baseModel = slice.BaseModel ?? config.BaseModel;
        CheckParameterBlock(slice.Parameters, method, allowPerModel: true, allowGlobal: true, $"{where}.parameters", "");

        var length = slice.Sources[0].LayerRange.Count;
        var seen = new Dictionary<ModelReference, SliceSource>();
        for (var i = 0; i < slice.Sources.Length; i++)
        {
            var source = slice.Sources[i];
            if (source.LayerRange.Count != length)
                throw ConfigErrors.At(source.Position,
                    $"{where}.sources[{i}] covers {source.LayerRange.Count} layers {source.LayerRange} but sources[0] covers {length} {slice.Sources[0].LayerRange}",
                    "expected every source of a slice to cover the same number of layers");
            if (seen.TryGetValue(source.Model, out var first))
                throw ConfigErrors.At(source.Position, $"{where} names model {ConfigErrors.Quote(source.Model.ToString())} twice (first at line {first.Position.Line})",
                    "expected each model once per slice (use another slice to repeat layers)");
            seen[source.Model] = source;
            CheckParameterBlock(source.Parameters, method, allowPerModel: true, allowGlobal: false, $"{where}.sources[{i}].parameters", $" (model {source.Model})");
        }

        var inputs = slice.Sources.Select(s => s.Model).ToList();
        // mergekit adds the base to the inputs only in the models: form; a slice must list it itself.
        if (method.BaseModel != BaseModelUse.NotUsed && baseModel is not null && !inputs.Contains(baseModel))
            throw ConfigErrors.At(slice.Position, $"{where} does not include its base model {ConfigErrors.Quote(baseModel.ToString())} among its sources",
                $"expected a source '- model: {baseModel}' with a layer_range of {length} layers in this slice");
        CheckModelCount(method, inputs, baseModel, slice.Position, where);

        foreach (var p in method.Parameters.Where(p => p.Required))
        {
            if (p.Scope == ParameterScope.Global)
            {
                if (!slice.Parameters.Contains(p.Name) && !config.Parameters.Contains(p.Name))
                    throw MissingGlobal(p, method, slice.Position);
                continue;
            }
            for (var i = 0; i < slice.Sources.Length; i++)
            {
                var source = slice.Sources[i];
                if (IsBase(method, source.Model, baseModel)) continue;
                if (!source.Parameters.Contains(p.Name) && !slice.Parameters.Contains(p.Name) && !config.Parameters.Contains(p.Name))
                    throw ConfigErrors.At(source.Position, $"{where}.sources[{i}] ({source.Model}) has no '{p.Name}', which merge_method '{method.Name}' requires",
                        $"expected parameters: {{{p.Name}: ...}} under this source, in the slice, or in the top-level parameters");
            }
        }
    }

    private static bool IsBase(MergeMethodSchema method, ModelReference model, ModelReference? baseModel) =>
        method.BaseModel != BaseModelUse.NotUsed && baseModel is not null && model.Equals(baseModel);

    private static void CheckModelCount(MergeMethodSchema method, List<ModelReference> inputs, ModelReference? baseModel, SourcePosition position, string where)
    {
        var others = method.BaseModel == BaseModelUse.NotUsed ? inputs.Count : inputs.Count(m => !m.Equals(baseModel));
        var min = method.MinOtherModels;
        var max = method.MaxOtherModels;
        if (others >= min && (max is null || others <= max)) return;
        var wanted = max == min ? $"exactly {min}" : max is null ? $"at least {min}" : $"{min} to {max}";
        var counted = method.BaseModel == BaseModelUse.NotUsed
            ? (baseModel is null ? "" : " (base_model counts as an input for this method)")
            : " besides the base model";
        throw ConfigErrors.At(position, $"{where} gives merge_method '{method.Name}' {others} model(s){counted}",
            $"expected {wanted} model(s){counted}");
    }

    private static AlloyInputException MissingGlobal(MergeParameterSchema p, MergeMethodSchema method, SourcePosition position) =>
        ConfigErrors.At(position, $"merge_method '{method.Name}' requires the parameter '{p.Name}', which is not set",
            $"expected parameters: {{{p.Name}: ...}} at the top level (or in every slice)");

    private static void CheckParameterBlock(ParameterSet block, MergeMethodSchema method, bool allowPerModel, bool allowGlobal, string where, string owner)
    {
        foreach (var (name, namePosition, value) in block.Entries)
        {
            var schema = method.FindParameter(name);
            if (schema is null)
            {
                var known = method.Parameters.Select(p => p.Name).ToList();
                throw ConfigErrors.At(namePosition, $"unknown parameter {ConfigErrors.Quote(name)} in {where}{owner} for merge_method '{method.Name}'",
                    known.Count == 0 ? $"expected no parameters ('{method.Name}' takes none)" : ConfigErrors.ExpectedOneOf(name, known));
            }
            if (schema.Scope == ParameterScope.Global && !allowGlobal)
                throw ConfigErrors.At(namePosition, $"'{name}' is a merge-wide parameter of '{method.Name}' but is set in {where}{owner}",
                    "expected it in the top-level parameters (or a slice's parameters), where it applies to every model");
            if (schema.Scope == ParameterScope.PerModel && !allowPerModel)
                throw ConfigErrors.At(namePosition, $"'{name}' is a per-model parameter but is set in {where}{owner}",
                    "expected it under a model's or source's parameters");
            CheckType(value, schema, $"{where}.{name}");
        }
    }

    private static void CheckType(ParameterValue value, MergeParameterSchema schema, string where)
    {
        switch (value)
        {
            case FilteredParameterValue filtered:
                foreach (var entry in filtered.Entries) CheckType(entry.Value, schema, where);
                break;
            case GradientParameterValue when schema.Type != ParameterType.Number:
                throw ConfigErrors.At(value.Position, $"{where} is a gradient list but '{schema.Name}' is {TypeName(schema)}",
                    $"expected {Example(schema)} (only number parameters take gradients)");
            case ScalarParameterValue scalar:
                var v = scalar.Value;
                if (schema.Type == ParameterType.Choice && v.IsText && schema.Choices is { } choices && !choices.Contains(v.Text!))
                    throw ConfigErrors.At(value.Position, $"{where} {ConfigErrors.Quote(v.Text!)} is not a choice of '{schema.Name}'",
                        ConfigErrors.ExpectedOneOf(v.Text!, choices));
                var ok = schema.Type switch
                {
                    ParameterType.Boolean => v.IsBoolean,
                    ParameterType.Integer => v.IsNumber && v.Number == Math.Floor(v.Number),
                    ParameterType.Choice => v.IsText,
                    _ => v.IsNumber,
                };
                if (!ok)
                {
                    var shown = v.IsText ? $"the text {ConfigErrors.Quote(v.Text!)}" : v.ToString();
                    var hint = v.IsText && schema.Type is ParameterType.Number or ParameterType.Integer &&
                        double.TryParse(v.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                        ? " (write numbers without quotes)" : "";
                    throw ConfigErrors.At(value.Position, $"{where} is {shown} but '{schema.Name}' is {TypeName(schema)}",
                        $"expected {Example(schema)}{hint}");
                }
                break;
        }
    }

    private static string TypeName(MergeParameterSchema schema) => schema.Type switch
    {
        ParameterType.Boolean => "true/false",
        ParameterType.Integer => "an integer",
        ParameterType.Choice => "a word",
        _ => "a number",
    };

    private static string Example(MergeParameterSchema schema) => schema.Type switch
    {
        ParameterType.Boolean => "true or false",
        ParameterType.Integer => "an integer such as 10",
        ParameterType.Choice => "one of: " + string.Join(", ", schema.Choices ?? []),
        _ => "a number such as 0.5, or a gradient such as [0, 0.5, 1]",
    };

    private static void CheckScope(MergeConfig config, MergeConfigParser.ReadFacts facts)
    {
        if (facts.ScopeKeyPosition is not { } scopeKey) return;
        if (config.UsesSlices)
            throw ConfigErrors.At(scopeKey, $"'{facts.ScopeKeyName}' cannot be combined with slices:",
                "expected the models: form for a layers/modules scope (slices already choose layers with layer_range)");
        if (facts.CopyFromExplicit && config.Scope.CopyFrom is { } copyFrom)
        {
            var known = config.Models.Select(m => m.Model).ToList();
            if (config.BaseModel is { } b && !known.Contains(b)) known.Add(b);
            if (!known.Contains(copyFrom))
                throw ConfigErrors.At(copyFrom.Position, $"copy_from {ConfigErrors.Quote(copyFrom.ToString())} is not one of the config's models",
                    ConfigErrors.ExpectedOneOf(copyFrom.ToString(), known.Select(m => m.ToString())));
        }
    }

    private static void CheckTokenizer(MergeConfig config)
    {
        if (config.Tokenizer is not { } tokenizer) return;
        if (tokenizer.Source.Kind == TokenizerSourceKind.Base && config.BaseModel is null)
            throw ConfigErrors.At(tokenizer.Position, "the tokenizer source is 'base' but base_model is not set",
                "expected base_model: NAME, or a tokenizer source of union or a model name");
    }
}
