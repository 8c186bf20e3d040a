// Parses a mergekit-compatible merge config (plus Alloy's extensions) from YAML text into a MergeConfig.
// Reads text only: it never opens the models it names. Semantic checks against the method are in MergeConfigValidator.
using System.Collections.Immutable;
using Alloy.Tensors;
using YamlDotNet.RepresentationModel;
using RescaleMode = Alloy.Merging.Methods.RescaleMode;
using TrimScope = Alloy.Merging.Methods.TrimScope;

namespace Alloy.Merging.Config;

/// <summary>
/// Entry point of the config layer. Every problem a user can fix is an <see cref="AlloyInputException"/>
/// whose message reads <c>FILE:LINE:COL: what is wrong; what is expected</c>.
/// </summary>
public static class MergeConfigParser
{
    /// <summary>The keys a config may have at the top level.</summary>
    public static ImmutableArray<string> TopLevelKeys { get; } =
    [
        "merge_method", "base_model", "models", "slices", "parameters", "dtype", "out_dtype",
        "tokenizer_source", "tokenizer", "chat_template", "name",
        "layers", "modules", "copy_from", "seed", "rescale_mode", "trim_scope",
    ];

    /// <summary>Reads a config file (at most <see cref="YamlLoader.MaxBytes"/> bytes) and parses it.</summary>
    /// <param name="path">The YAML file; its path as given is used in error messages.</param>
    /// <param name="methods">The methods the config may name; null for <see cref="MethodSchemas.Mergekit"/>.</param>
    /// <exception cref="AlloyInputException">The file is missing, too large, or not a valid config.</exception>
    public static MergeConfig ParseFile(string path, IMergeMethodSchemaLookup? methods = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new AlloyInputException($"{path}: the merge config file does not exist; expected a YAML file path");
        if (info.Length > YamlLoader.MaxBytes)
            throw new AlloyInputException($"{path}:1:1: the config is {info.Length} bytes; expected at most {YamlLoader.MaxBytes} bytes (a merge config is a few KB)");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AlloyInputException($"{path}: the merge config file cannot be read ({e.Message}); expected a readable YAML file", e);
        }
        return Parse(text, path, methods);
    }

    /// <summary>Parses config text.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="fileName">The name used in error messages (FILE in FILE:LINE:COL).</param>
    /// <param name="methods">The methods the config may name; null for <see cref="MethodSchemas.Mergekit"/>.</param>
    /// <exception cref="AlloyInputException">The text is not a valid config.</exception>
    public static MergeConfig Parse(string yaml, string fileName, IMergeMethodSchemaLookup? methods = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        var root = YamlLoader.Load(yaml, fileName);
        var reader = new Reader(new YamlValues(fileName), methods ?? MethodSchemas.Mergekit);
        var config = reader.ReadConfig(root);
        MergeConfigValidator.Validate(config, reader.Facts);
        return config;
    }

    /// <summary>Positions the validator needs that the records do not keep.</summary>
    internal sealed class ReadFacts
    {
        public SourcePosition Root { get; set; }
        public SourcePosition MethodPosition { get; set; }
        public SourcePosition? ScopeKeyPosition { get; set; }
        public string ScopeKeyName { get; set; } = "";
        public bool CopyFromExplicit { get; set; }
    }

    private sealed class Reader(YamlValues yaml, IMergeMethodSchemaLookup methods)
    {
        private static readonly string[] ModelKeys = ["model", "parameters"];
        private static readonly string[] SliceKeys = ["sources", "base_model", "parameters"];
        private static readonly string[] SourceKeys = ["model", "layer_range", "parameters"];
        private static readonly string[] FilterKeys = ["filter", "value"];
        private static readonly string[] TokenizerKeys = ["source", "tokens", "pad_to_multiple_of"];
        private static readonly string[] TokenKeys = ["source", "force"];
        private static readonly string[] TokenSourceKeys = ["kind", "model", "token", "token_id"];
        private static readonly string[] ModuleNames = ["attention", "mlp", "norms", "embeddings", "lm_head"];
        private static readonly string[] DTypeNames = ["bfloat16", "float16", "float32"];

        public ReadFacts Facts { get; } = new();

        public MergeConfig ReadConfig(YamlNode? root)
        {
            var file = yaml.File;
            if (root is null || YamlValues.IsNull(root))
                throw ConfigErrors.At(new SourcePosition(file, 1, 1), "the config is empty",
                    "expected a mapping with at least merge_method and models (or slices)");
            var map = yaml.Mapping(root, "the config", "expected a mapping of keys such as merge_method, models, parameters");
            Facts.Root = yaml.Pos(root);

            MergeMethodSchema? method = null;
            ModelReference? baseModel = null, copyFrom = null;
            ImmutableArray<InputModel> models = [];
            ImmutableArray<OutputSlice> slices = [];
            var parameters = ParameterSet.Empty;
            DType? dtype = null, outDType = null;
            TokenizerPolicy? tokenizer = null;
            SourcePosition? tokenizerSourceKey = null, tokenizerKey = null, modelsKey = null, slicesKey = null;
            ChatTemplatePolicy? chatTemplate = null;
            string? name = null;
            LayerSet? layers = null;
            ImmutableArray<ModelModule>? modules = null;
            long? seed = null;
            RescaleMode? rescale = null;
            TrimScope? trim = null;

            foreach (var (key, keyNode, value) in yaml.Entries(map, TopLevelKeys, "the config"))
            {
                if (key == "modules" && value is YamlMappingNode)
                    throw ConfigErrors.At(yaml.Pos(keyNode), "per-module 'modules:' definitions (multi-module models) are not supported yet",
                        "expected Alloy's module scope, a list such as modules: [attention, mlp], or models:/slices: for the whole model");
                if (YamlValues.IsNull(value) && key is not ("models" or "slices")) continue;
                switch (key)
                {
                    case "merge_method":
                        method = ReadMethod(value);
                        break;
                    case "base_model":
                        baseModel = ReadModel(value, "base_model");
                        break;
                    case "models":
                        modelsKey = yaml.Pos(keyNode);
                        models = ReadModels(value);
                        break;
                    case "slices":
                        slicesKey = yaml.Pos(keyNode);
                        slices = ReadSlices(value);
                        break;
                    case "parameters":
                        parameters = ReadParameters(keyNode, value, "parameters");
                        break;
                    case "dtype":
                        dtype = ReadDType(value, "dtype");
                        break;
                    case "out_dtype":
                        outDType = ReadDType(value, "out_dtype");
                        break;
                    case "tokenizer_source":
                        tokenizerSourceKey = yaml.Pos(keyNode);
                        tokenizer = new TokenizerPolicy(ReadTokenizerSource(value, "tokenizer_source"), [], null, true, yaml.Pos(value));
                        break;
                    case "tokenizer":
                        tokenizerKey = yaml.Pos(keyNode);
                        tokenizer = ReadTokenizer(value);
                        break;
                    case "chat_template":
                        chatTemplate = ReadChatTemplate(value);
                        break;
                    case "name":
                        name = yaml.Text(value, "name", "expected a text name for the merged model");
                        break;
                    case "layers":
                        NoteScopeKey(keyNode, key);
                        layers = ReadLayers(value);
                        break;
                    case "modules":
                        NoteScopeKey(keyNode, key);
                        modules = ReadModules(value);
                        break;
                    case "copy_from":
                        NoteScopeKey(keyNode, key);
                        Facts.CopyFromExplicit = true;
                        copyFrom = ReadModel(value, "copy_from");
                        break;
                    case "seed":
                        seed = yaml.Integer(value, "seed", 0, long.MaxValue, "expected a non-negative integer seed such as 0");
                        break;
                    case "rescale_mode":
                        rescale = ReadChoice(value, "rescale_mode", ["l1", "inverse"]) == "l1" ? RescaleMode.L1 : RescaleMode.Inverse;
                        break;
                    case "trim_scope":
                        trim = ReadChoice(value, "trim_scope", ["tensor", "global"]) == "tensor" ? TrimScope.Tensor : TrimScope.Global;
                        break;
                }
            }

            if (tokenizerKey is { } tk && tokenizerSourceKey is { } tsk)
            {
                var later = tk.Line > tsk.Line || (tk.Line == tsk.Line && tk.Column > tsk.Column) ? tk : tsk;
                throw ConfigErrors.At(later, "both tokenizer_source and tokenizer are set",
                    "expected one of them (tokenizer: {source: ...} replaces the legacy tokenizer_source)");
            }
            if (method is null)
                throw ConfigErrors.At(Facts.Root, "the key 'merge_method' is missing",
                    "expected merge_method: one of " + string.Join(", ", methods.MethodNames));
            if (modelsKey is { } mk && slicesKey is { } sk)
            {
                var later = mk.Line > sk.Line ? mk : sk;
                throw ConfigErrors.At(later, "both models and slices are set", "expected exactly one of models: or slices:");
            }
            if (models.IsDefaultOrEmpty && slices.IsDefaultOrEmpty)
                throw ConfigErrors.At(modelsKey ?? slicesKey ?? Facts.Root,
                    modelsKey is null && slicesKey is null ? "neither models nor slices is set" : "the list of models or slices is empty",
                    "expected models: (a list of - model: NAME) or slices: (a list of - sources: [...])");

            if (copyFrom is null && !models.IsDefaultOrEmpty) copyFrom = models[0].Model;
            return new MergeConfig(yaml.File, method, baseModel, models.IsDefault ? [] : models, slices.IsDefault ? [] : slices,
                parameters, dtype, outDType, tokenizer, chatTemplate, name,
                new MergeScope(layers, modules, copyFrom), new MergeOptions(seed, rescale, trim));
        }

        private void NoteScopeKey(YamlScalarNode keyNode, string key)
        {
            if (Facts.ScopeKeyPosition is null)
            {
                Facts.ScopeKeyPosition = yaml.Pos(keyNode);
                Facts.ScopeKeyName = key;
            }
        }

        private MergeMethodSchema ReadMethod(YamlNode value)
        {
            var name = yaml.Text(value, "merge_method", "expected one of: " + string.Join(", ", methods.MethodNames));
            Facts.MethodPosition = yaml.Pos(value);
            if (!methods.TryGet(name, out var schema))
                throw ConfigErrors.At(yaml.Pos(value), $"unknown merge_method {ConfigErrors.Quote(name)}",
                    ConfigErrors.ExpectedOneOf(name, methods.MethodNames));
            return schema;
        }

        private ModelReference ReadModel(YamlNode value, string field)
        {
            if (value is YamlMappingNode)
                throw ConfigErrors.At(yaml.Pos(value), $"{field} is a mapping",
                    "expected the model as text: path_or_repo[@revision]");
            var text = yaml.Text(value, field, "expected a local folder or a Hugging Face id such as Qwen/Qwen3-4B[@revision]");
            return ModelReference.Parse(text, yaml.Pos(value), field);
        }

        private ImmutableArray<InputModel> ReadModels(YamlNode value)
        {
            if (YamlValues.IsNull(value)) return [];
            var list = yaml.Sequence(value, "models", "expected a list of entries such as '- model: NAME'");
            var result = ImmutableArray.CreateBuilder<InputModel>();
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                var where = $"models[{i}]";
                var entry = yaml.Mapping(item, where, "expected '- model: NAME' with optional parameters:");
                ModelReference? model = null;
                var parameters = ParameterSet.Empty;
                foreach (var (key, keyNode, v) in yaml.Entries(entry, ModelKeys, where))
                {
                    if (key == "model") model = ReadModel(v, $"{where}.model");
                    else if (!YamlValues.IsNull(v)) parameters = ReadParameters(keyNode, v, $"{where}.parameters");
                }
                if (model is null)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where} has no 'model'", "expected '- model: NAME'");
                result.Add(new InputModel(model, parameters, yaml.Pos(item)));
            }
            return result.ToImmutable();
        }

        private ImmutableArray<OutputSlice> ReadSlices(YamlNode value)
        {
            if (YamlValues.IsNull(value)) return [];
            var list = yaml.Sequence(value, "slices", "expected a list of entries such as '- sources: [...]'");
            var result = ImmutableArray.CreateBuilder<OutputSlice>();
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                var where = $"slices[{i}]";
                var entry = yaml.Mapping(item, where, "expected '- sources:' with a list of {model, layer_range}");
                ImmutableArray<SliceSource>? sources = null;
                ModelReference? baseModel = null;
                var parameters = ParameterSet.Empty;
                foreach (var (key, keyNode, v) in yaml.Entries(entry, SliceKeys, where))
                {
                    if (key == "sources") sources = ReadSources(v, where);
                    else if (YamlValues.IsNull(v)) continue;
                    else if (key == "base_model") baseModel = ReadModel(v, $"{where}.base_model");
                    else parameters = ReadParameters(keyNode, v, $"{where}.parameters");
                }
                if (sources is not { Length: > 0 } s)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where} has no sources",
                        "expected sources: with at least one '- model: NAME' and 'layer_range: [start, end]'");
                result.Add(new OutputSlice(s, baseModel, parameters, yaml.Pos(item)));
            }
            return result.ToImmutable();
        }

        private ImmutableArray<SliceSource> ReadSources(YamlNode value, string sliceWhere)
        {
            if (YamlValues.IsNull(value)) return [];
            var list = yaml.Sequence(value, $"{sliceWhere}.sources", "expected a list of entries such as '- model: NAME'");
            var result = ImmutableArray.CreateBuilder<SliceSource>();
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                var where = $"{sliceWhere}.sources[{i}]";
                var entry = yaml.Mapping(item, where, "expected '- model: NAME' with 'layer_range: [start, end]'");
                ModelReference? model = null;
                LayerRange? range = null;
                var parameters = ParameterSet.Empty;
                foreach (var (key, keyNode, v) in yaml.Entries(entry, SourceKeys, where))
                {
                    if (key == "model") model = ReadModel(v, $"{where}.model");
                    else if (key == "layer_range") range = ReadLayerRange(v, $"{where}.layer_range");
                    else if (!YamlValues.IsNull(v)) parameters = ReadParameters(keyNode, v, $"{where}.parameters");
                }
                if (model is null)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where} has no 'model'", "expected '- model: NAME'");
                if (range is null)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where} has no 'layer_range'",
                        "expected layer_range: [start, end] (end exclusive), e.g. [0, 24]");
                result.Add(new SliceSource(model, range.Value, parameters, yaml.Pos(item)));
            }
            return result.ToImmutable();
        }

        private LayerRange ReadLayerRange(YamlNode value, string where)
        {
            const string expected = "expected [start, end] with 0 <= start < end (end exclusive), e.g. [0, 24]";
            var list = yaml.Sequence(value, where, expected);
            if (list.Children.Count != 2)
                throw ConfigErrors.At(yaml.Pos(value), $"{where} has {list.Children.Count} numbers", expected);
            var start = (int)yaml.Integer(list.Children[0], $"{where} start", 0, int.MaxValue, expected);
            var end = (int)yaml.Integer(list.Children[1], $"{where} end", 0, int.MaxValue, expected);
            if (end <= start)
                throw ConfigErrors.At(yaml.Pos(value), $"{where} [{start}, {end}] is {(end < start ? "reversed" : "empty")}", expected);
            return new LayerRange(start, end);
        }

        private ParameterSet ReadParameters(YamlScalarNode keyNode, YamlNode value, string where)
        {
            var map = yaml.Mapping(value, where, "expected a mapping of parameter names to values, e.g. weight: 0.5");
            var entries = new List<ParameterEntry>();
            foreach (var (k, v) in map.Children)
            {
                var name = ((YamlScalarNode)k).Value ?? "";
                entries.Add(new ParameterEntry(name, yaml.Pos(k), ReadParameterValue(v, $"{where}.{name}")));
            }
            return new ParameterSet(entries, yaml.Pos(keyNode));
        }

        private ParameterValue ReadParameterValue(YamlNode value, string where)
        {
            const string expected = "expected a number, true/false, a word, a gradient list of numbers, or a list of {filter, value} entries";
            switch (value)
            {
                case YamlScalarNode scalar:
                    return ReadScalarValue(scalar, where, expected);
                case YamlSequenceNode list when list.Children.Count == 0:
                    throw ConfigErrors.At(yaml.Pos(value), $"{where} is an empty list", expected);
                case YamlSequenceNode list when list.Children[0] is YamlMappingNode:
                    return ReadFilterList(list, where);
                case YamlSequenceNode list:
                    return ReadGradient(list, where);
                case YamlMappingNode map:
                    var single = ReadFilterEntry(map, where);
                    return new FilteredParameterValue([single], yaml.Pos(value));
                default:
                    throw ConfigErrors.At(yaml.Pos(value), $"{where} is {YamlValues.Describe(value)}", expected);
            }
        }

        private ScalarParameterValue ReadScalarValue(YamlScalarNode scalar, string where, string expected)
        {
            switch (YamlValues.Classify(scalar))
            {
                case ScalarKind.Number:
                    return new ScalarParameterValue(ParameterScalar.Of(yaml.FiniteNumber(scalar, where)), yaml.Pos(scalar));
                case ScalarKind.Boolean:
                    YamlValues.TryBoolean(scalar.Value ?? "", out var flag);
                    return new ScalarParameterValue(ParameterScalar.Of(flag), yaml.Pos(scalar));
                case ScalarKind.Text:
                    // Words are kept for choice parameters; the validator refuses them for every other type.
                    return new ScalarParameterValue(ParameterScalar.Of(scalar.Value ?? ""), yaml.Pos(scalar));
                default:
                    throw ConfigErrors.At(yaml.Pos(scalar), $"{where} is {YamlValues.Describe(scalar)}", expected);
            }
        }

        private GradientParameterValue ReadGradient(YamlSequenceNode list, string where)
        {
            var anchors = ImmutableArray.CreateBuilder<double>(list.Children.Count);
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                if (item is not YamlScalarNode scalar || YamlValues.Classify(scalar) != ScalarKind.Number)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where}[{i}] is {YamlValues.Describe(item)}",
                        "expected a gradient of numbers such as [0, 0.5, 1], or a list whose every entry is {filter, value}");
                anchors.Add(yaml.FiniteNumber(scalar, $"{where}[{i}]"));
            }
            return new GradientParameterValue(anchors.MoveToImmutable(), yaml.Pos(list));
        }

        private FilteredParameterValue ReadFilterList(YamlSequenceNode list, string where)
        {
            var entries = ImmutableArray.CreateBuilder<ParameterFilterEntry>(list.Children.Count);
            ParameterFilterEntry? firstDefault = null;
            for (var i = 0; i < list.Children.Count; i++)
            {
                var item = list.Children[i];
                if (item is not YamlMappingNode map)
                    throw ConfigErrors.At(yaml.Pos(item), $"{where}[{i}] is {YamlValues.Describe(item)}",
                        "expected every entry of a filter list to be {filter: NAME_PART, value: ...} (the last may omit filter)");
                var entry = ReadFilterEntry(map, $"{where}[{i}]");
                if (firstDefault is not null)
                    throw ConfigErrors.At(entry.Position, $"{where}[{i}] can never apply: the entry at line {firstDefault.Position.Line} has no filter and matches every tensor first",
                        "expected the entry without a filter to come last");
                if (entry.IsDefault) firstDefault = entry;
                entries.Add(entry);
            }
            return new FilteredParameterValue(entries.MoveToImmutable(), yaml.Pos(list));
        }

        private ParameterFilterEntry ReadFilterEntry(YamlMappingNode map, string where)
        {
            string? filter = null;
            ParameterValue? value = null;
            foreach (var (key, _, v) in yaml.Entries(map, FilterKeys, where))
            {
                if (key == "filter")
                {
                    if (YamlValues.IsNull(v)) continue;
                    filter = yaml.Text(v, $"{where}.filter", "expected a part of a tensor name such as self_attn or mlp");
                }
                else
                {
                    value = v switch
                    {
                        YamlScalarNode s => ReadScalarValue(s, $"{where}.value", "expected a number, true/false, a word, or a gradient list of numbers"),
                        YamlSequenceNode list when list.Children.Count > 0 => ReadGradient(list, $"{where}.value"),
                        _ => throw ConfigErrors.At(yaml.Pos(v), $"{where}.value is {YamlValues.Describe(v)}",
                            "expected a number, true/false, or a gradient list of numbers (filters do not nest)"),
                    };
                }
            }
            if (value is null)
                throw ConfigErrors.At(yaml.Pos(map), $"{where} has no 'value'", "expected {filter: NAME_PART, value: ...}");
            return new ParameterFilterEntry(filter, value, yaml.Pos(map));
        }

        private DType ReadDType(YamlNode value, string field)
        {
            var text = yaml.Text(value, field, "expected one of: " + string.Join(", ", DTypeNames));
            if (DTypes.TryParseTorchName(text, out var dtype) && dtype.IsComputeType()) return dtype;
            throw ConfigErrors.At(yaml.Pos(value), $"{field} {ConfigErrors.Quote(text)} is not a dtype Alloy merges in",
                ConfigErrors.ExpectedOneOf(text, DTypeNames));
        }

        private TokenizerSource ReadTokenizerSource(YamlNode value, string field)
        {
            var text = yaml.Text(value, field, "expected union, base, or a model name");
            return text switch
            {
                "union" => new TokenizerSource(TokenizerSourceKind.Union, null),
                "base" => new TokenizerSource(TokenizerSourceKind.Base, null),
                _ => new TokenizerSource(TokenizerSourceKind.Model, ModelReference.Parse(text, yaml.Pos(value), field)),
            };
        }

        private TokenizerPolicy ReadTokenizer(YamlNode value)
        {
            var map = yaml.Mapping(value, "tokenizer", "expected a mapping with source (union | base | a model), optional tokens and pad_to_multiple_of");
            var source = new TokenizerSource(TokenizerSourceKind.Union, null);
            var tokens = ImmutableArray<TokenOverride>.Empty;
            int? pad = null;
            foreach (var (key, _, v) in yaml.Entries(map, TokenizerKeys, "tokenizer"))
            {
                if (YamlValues.IsNull(v)) continue;
                switch (key)
                {
                    case "source":
                        source = ReadTokenizerSource(v, "tokenizer.source");
                        break;
                    case "tokens":
                        tokens = ReadTokens(v);
                        break;
                    case "pad_to_multiple_of":
                        pad = (int)yaml.Integer(v, "tokenizer.pad_to_multiple_of", 1, 1 << 20, "expected a positive integer such as 64");
                        break;
                }
            }
            return new TokenizerPolicy(source, tokens, pad, false, yaml.Pos(value));
        }

        private ImmutableArray<TokenOverride> ReadTokens(YamlNode value)
        {
            var map = yaml.Mapping(value, "tokenizer.tokens", "expected a mapping of token text to {source, force}");
            var result = ImmutableArray.CreateBuilder<TokenOverride>();
            foreach (var (k, v) in map.Children)
            {
                var token = ((YamlScalarNode)k).Value ?? "";
                var where = $"tokenizer.tokens.{token}";
                var kind = TokenEmbeddingSourceKind.Default;
                ModelReference? model = null;
                string? sourceToken = null;
                long? sourceTokenId = null;
                var force = false;
                if (!YamlValues.IsNull(v))
                {
                    var entry = yaml.Mapping(v, where, "expected {source: ..., force: true|false}");
                    foreach (var (key, _, ev) in yaml.Entries(entry, TokenKeys, where))
                    {
                        if (YamlValues.IsNull(ev)) continue;
                        if (key == "force")
                        {
                            force = ReadBoolean(ev, $"{where}.force");
                            continue;
                        }
                        if (ev is YamlMappingNode sourceMap)
                            (kind, model, sourceToken, sourceTokenId) = ReadTokenSource(sourceMap, $"{where}.source");
                        else
                        {
                            kind = TokenEmbeddingSourceKind.Model;
                            model = ReadModel(ev, $"{where}.source");
                        }
                    }
                }
                result.Add(new TokenOverride(token, kind, model, sourceToken, sourceTokenId, force, yaml.Pos(k)));
            }
            return result.ToImmutable();
        }

        private (TokenEmbeddingSourceKind, ModelReference?, string?, long?) ReadTokenSource(YamlMappingNode map, string where)
        {
            string? kind = null;
            ModelReference? model = null;
            string? token = null;
            long? tokenId = null;
            foreach (var (key, _, v) in yaml.Entries(map, TokenSourceKeys, where))
            {
                if (YamlValues.IsNull(v)) continue;
                switch (key)
                {
                    case "kind": kind = ReadChoice(v, $"{where}.kind", ["model_token", "zero"]); break;
                    case "model": model = ReadModel(v, $"{where}.model"); break;
                    case "token": token = yaml.Text(v, $"{where}.token", "expected the token's text"); break;
                    case "token_id": tokenId = yaml.Integer(v, $"{where}.token_id", 0, int.MaxValue, "expected a non-negative token id"); break;
                }
            }
            var position = yaml.Pos(map);
            if (kind is null)
                throw ConfigErrors.At(position, $"{where} has no 'kind'", "expected kind: model_token or kind: zero");
            if (kind == "zero")
            {
                if (model is not null || token is not null || tokenId is not null)
                    throw ConfigErrors.At(position, $"{where} is kind zero but also names a model or token", "expected only kind: zero");
                return (TokenEmbeddingSourceKind.Zero, null, null, null);
            }
            if (model is null)
                throw ConfigErrors.At(position, $"{where} has no 'model'", "expected model: NAME for kind model_token");
            if ((token is null) == (tokenId is null))
                throw ConfigErrors.At(position, $"{where} must name exactly one of token and token_id",
                    "expected token: TEXT or token_id: N, not both and not neither");
            return (TokenEmbeddingSourceKind.ModelToken, model, token, tokenId);
        }

        private bool ReadBoolean(YamlNode value, string where)
        {
            if (value is YamlScalarNode s && YamlValues.Classify(s) == ScalarKind.Boolean && YamlValues.TryBoolean(s.Value ?? "", out var flag))
                return flag;
            throw ConfigErrors.At(yaml.Pos(value), $"{where} is {YamlValues.Describe(value)}", "expected true or false");
        }

        private ChatTemplatePolicy ReadChatTemplate(YamlNode value)
        {
            var text = yaml.Text(value, "chat_template", "expected auto, a built-in name, or a Jinja template");
            var position = yaml.Pos(value);
            if (text == "auto") return new ChatTemplatePolicy(ChatTemplateKind.Auto, text, position);
            if (ChatTemplatePolicy.BuiltInNames.Contains(text)) return new ChatTemplatePolicy(ChatTemplateKind.BuiltIn, text, position);
            if (text.Length < 20 || !text.Contains('{', StringComparison.Ordinal))
                throw ConfigErrors.At(position, $"chat_template {ConfigErrors.Quote(text)} is neither 'auto', a built-in name, nor a Jinja template",
                    ConfigErrors.ExpectedOneOf(text, ["auto", .. ChatTemplatePolicy.BuiltInNames]) + ", or a template of at least 20 characters containing '{'");
            return new ChatTemplatePolicy(ChatTemplateKind.Literal, text, position);
        }

        private LayerSet ReadLayers(YamlNode value)
        {
            const string expected = "expected an inclusive range \"12-35\", a union \"0-11,24-35\", or a pair [12, 35]";
            if (value is YamlSequenceNode list)
            {
                if (list.Children.Count != 2)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers is a list of {list.Children.Count} numbers", expected);
                var first = (int)yaml.Integer(list.Children[0], "layers start", 0, int.MaxValue, expected);
                var last = (int)yaml.Integer(list.Children[1], "layers end", 0, int.MaxValue, expected);
                if (last < first)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers [{first}, {last}] is reversed", expected);
                return LayerSet.FromIntervals([new LayerInterval(first, last)]);
            }
            var text = yaml.Text(value, "layers", expected);
            var intervals = new List<LayerInterval>();
            foreach (var rawPart in text.Split(','))
            {
                var part = rawPart.Trim();
                var dash = part.IndexOf('-', StringComparison.Ordinal);
                var firstText = dash < 0 ? part : part[..dash].Trim();
                var lastText = dash < 0 ? part : part[(dash + 1)..].Trim();
                if (!int.TryParse(firstText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var first) ||
                    !int.TryParse(lastText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last))
                    throw ConfigErrors.At(yaml.Pos(value), $"layers part {ConfigErrors.Quote(part)} is not a layer or a range", expected);
                if (last < first)
                    throw ConfigErrors.At(yaml.Pos(value), $"layers part {ConfigErrors.Quote(part)} is reversed", expected);
                intervals.Add(new LayerInterval(first, last));
            }
            return LayerSet.FromIntervals(intervals);
        }

        private ImmutableArray<ModelModule> ReadModules(YamlNode value)
        {
            const string expected = "expected a list drawn from attention, mlp, norms, embeddings, lm_head";
            var list = yaml.Sequence(value, "modules", expected);
            if (list.Children.Count == 0)
                throw ConfigErrors.At(yaml.Pos(value), "modules is an empty list", expected + " (leave modules out to merge every module)");
            var result = new List<ModelModule>();
            foreach (var item in list.Children)
            {
                var module = ReadChoice(item, "modules entry", ModuleNames) switch
                {
                    "attention" => ModelModule.Attention,
                    "mlp" => ModelModule.Mlp,
                    "norms" => ModelModule.Norms,
                    "embeddings" => ModelModule.Embeddings,
                    _ => ModelModule.LmHead,
                };
                if (result.Contains(module))
                    throw ConfigErrors.At(yaml.Pos(item), $"modules lists {ConfigErrors.Quote(((YamlScalarNode)item).Value ?? "")} twice", "expected each module once");
                result.Add(module);
            }
            return [.. result.Order()];
        }

        private string ReadChoice(YamlNode value, string what, string[] choices)
        {
            var text = yaml.Text(value, what, "expected one of: " + string.Join(", ", choices));
            if (!choices.Contains(text))
                throw ConfigErrors.At(yaml.Pos(value), $"{what} {ConfigErrors.Quote(text)} is not known", ConfigErrors.ExpectedOneOf(text, choices));
            return text;
        }
    }
}
