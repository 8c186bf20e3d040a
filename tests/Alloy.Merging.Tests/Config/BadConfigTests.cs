// A table of invalid configs, each checked for the exact FILE:LINE:COL of its error and the key phrase.
// Lines and columns are 1-based and were counted by hand from each YAML text. Two syntax errors use
// YamlDotNet's marks: an empty key sits one column after its ':', and an unreadable flow mapping is
// reported at its opening '{'.
using Alloy.Merging.Config;
using Alloy.Tensors;

namespace Alloy.Merging.Tests.Config;

public class BadConfigTests
{
    private const string LinearTail = "models:\n  - model: a\n    parameters: {weight: 1}\n";

    public static TheoryData<string, string, int, int, string> Cases() => new()
    {
        { "unknown top-level key", "merge_methd: linear\n" + LinearTail, 1, 1, "unknown key 'merge_methd' in the config; did you mean 'merge_method'?" },
        { "unknown method", "merge_method: tie\nbase_model: b\n" + LinearTail, 1, 15, "unknown merge_method 'tie'; did you mean 'ties'?" },
        { "unknown method lists the known", "merge_method: frobnicate\n" + LinearTail, 1, 15, "expected one of: linear, slerp, nuslerp, passthrough" },
        { "base model missing", "merge_method: ties\n" + LinearTail, 1, 15, "merge_method 'ties' needs base_model, which is missing" },
        { "required per-model parameter missing", "merge_method: linear\nmodels:\n  - model: a\n  - model: b\n    parameters: {weight: 1}\n", 3, 5, "model 'a' has no 'weight', which merge_method 'linear' requires" },
        { "required global parameter missing", "merge_method: slerp\nbase_model: a\nmodels:\n  - model: a\n  - model: b\n", 1, 15, "merge_method 'slerp' requires the parameter 't'" },
        { "layer_range reversed", "merge_method: passthrough\nslices:\n  - sources:\n      - model: a\n        layer_range: [8, 4]\n", 5, 22, "slices[0].sources[0].layer_range [8, 4] is reversed; expected [start, end] with 0 <= start < end" },
        { "layer_range empty", "merge_method: passthrough\nslices:\n  - sources:\n      - model: a\n        layer_range: [4, 4]\n", 5, 22, "[4, 4] is empty" },
        { "layer_range with three numbers", "merge_method: passthrough\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 4, 8]\n", 5, 22, "layer_range has 3 numbers" },
        { "slice sources of unequal length", "merge_method: linear\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 8]\n        parameters: {weight: 1}\n      - model: b\n        layer_range: [0, 6]\n        parameters: {weight: 1}\n", 7, 9, "sources[1] covers 6 layers [0, 6] but sources[0] covers 8" },
        { "bad dtype", "merge_method: linear\ndtype: float61\n" + LinearTail, 2, 8, "dtype 'float61' is not a dtype Alloy merges in; did you mean 'float16'?" },
        { "duplicate key", "merge_method: linear\n" + LinearTail + "merge_method: ties\n", 5, 1, "duplicate key 'merge_method' (first at line 1, column 1)" },
        { "YAML syntax error", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: 1\n", 5, 1, "YAML syntax error" },
        { "alias refused", "merge_method: linear\nbase_model: &m a\nmodels:\n  - model: *m\n    parameters: {weight: 1}\n", 4, 12, "YAML alias '*m' is not allowed" },
        { "unknown parameter with suggestion", "merge_method: ties\nbase_model: b\nmodels:\n  - model: a\n    parameters: {weight: 1, desnity: 0.5}\n", 5, 29, "unknown parameter 'desnity' in models[0].parameters (model a) for merge_method 'ties'; did you mean 'density'?" },
        { "global parameter under a model", "merge_method: slerp\nbase_model: a\nmodels:\n  - model: a\n  - model: b\n    parameters:\n      t: 0.5\n", 7, 7, "'t' is a merge-wide parameter of 'slerp' but is set in models[1].parameters (model b)" },
        { "gradient for a boolean", "merge_method: linear\nparameters:\n  normalize: [1, 0]\n" + LinearTail, 3, 14, "parameters.normalize is a gradient list but 'normalize' is true/false" },
        { "number for a boolean", "merge_method: linear\nparameters:\n  normalize: 1\n" + LinearTail, 3, 14, "parameters.normalize is 1 but 'normalize' is true/false; expected true or false" },
        { "quoted number", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: \"0.5\"}\n", 4, 26, "models[0].parameters.weight is the text '0.5' but 'weight' is a number; expected a number such as 0.5, or a gradient such as [0, 0.5, 1] (write numbers without quotes)" },
        { "fractional integer", "merge_method: karcher\nmodels:\n  - model: a\n  - model: b\nparameters:\n  max_iter: 2.5\n", 6, 13, "'max_iter' is an integer" },
        { "LoRA refused", "merge_method: linear\nmodels:\n  - model: org/a+org/lora\n    parameters: {weight: 1}\n", 3, 12, "attaches a LoRA ('+org/lora'), which is not supported yet" },
        { "two revisions", "merge_method: linear\nmodels:\n  - model: org/a@v1@v2\n    parameters: {weight: 1}\n", 3, 12, "has more than one '@'" },
        { "models and slices together", "merge_method: linear\n" + LinearTail + "slices:\n  - sources:\n      - model: a\n        layer_range: [0, 2]\n", 5, 1, "both models and slices are set" },
        { "neither models nor slices", "merge_method: linear\ndtype: bfloat16\n", 1, 1, "neither models nor slices is set" },
        { "tokenizer twice", "merge_method: linear\ntokenizer_source: union\ntokenizer:\n  source: union\n" + LinearTail, 3, 1, "both tokenizer_source and tokenizer are set" },
        { "unreachable filter entry", "merge_method: linear\n" + LinearTail + "parameters:\n  weight:\n    - value: 1\n    - filter: mlp\n      value: 2\n", 8, 7, "parameters.weight[1] can never apply" },
        { "unknown module with suggestion", "merge_method: linear\nmodules: [mlps]\n" + LinearTail, 2, 11, "modules entry 'mlps' is not known; did you mean 'mlp'?" },
        { "reversed layers", "merge_method: linear\nlayers: \"35-12\"\n" + LinearTail, 2, 9, "layers part '35-12' is reversed" },
        { "slerp with three models", "merge_method: slerp\nbase_model: a\nmodels:\n  - model: a\n  - model: b\n  - model: c\nparameters: {t: 0.5}\n", 1, 15, "models gives merge_method 'slerp' 2 model(s) besides the base model; expected exactly 1" },
        { "copy_from not a model", "merge_method: linear\ncopy_from: org/zzz\n" + LinearTail, 2, 12, "copy_from 'org/zzz' is not one of the config's models" },
        { "second document", "merge_method: linear\n" + LinearTail + "---\nmerge_method: ties\n", 5, 1, "a second YAML document starts here" },
        { "multi-module modules mapping", "merge_method: linear\nmodules:\n  text:\n    models: []\n", 2, 1, "per-module 'modules:' definitions (multi-module models) are not supported yet" },
        { "infinite weight", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: .inf}\n", 4, 26, "'.inf', which is not a finite number" },
        { "bad chat template", "merge_method: linear\nchat_template: chatm\n" + LinearTail, 2, 16, "did you mean 'chatml'?" },
        { "passthrough with two sources", "merge_method: passthrough\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 2]\n      - model: b\n        layer_range: [0, 2]\n", 3, 5, "slices[0] gives merge_method 'passthrough' 2 model(s); expected exactly 1" },
        { "unknown key in a model entry", "merge_method: linear\nmodels:\n  - model: a\n    paramters: {weight: 1}\n", 4, 5, "unknown key 'paramters' in models[0]; did you mean 'parameters'?" },
        { "empty config", "# nothing here\n", 1, 1, "the config is empty" },
        { "ties slice without its base", "merge_method: ties\nbase_model: base\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 4]\n        parameters: {weight: 1}\n", 4, 5, "slices[0] does not include its base model 'base' among its sources" },
        { "nuslerp slice without its optional base", "merge_method: nuslerp\nbase_model: base\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 4]\n      - model: b\n        layer_range: [0, 4]\nparameters: {weight: 1}\n", 4, 5, "slices[0] does not include its base model 'base'" },
        { "word for a number", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: heavy}\n", 4, 26, "weight is the text 'heavy' but 'weight' is a number" },
        { "negative seed", "merge_method: linear\nseed: -1\n" + LinearTail, 2, 7, "seed is -1; expected a non-negative integer seed" },
        { "unknown rescale mode", "merge_method: linear\nrescale_mode: l2\n" + LinearTail, 2, 15, "rescale_mode 'l2' is not known; did you mean 'l1'?" },
        { "scope with slices", "merge_method: passthrough\nlayers: \"0-3\"\nslices:\n  - sources:\n      - model: a\n        layer_range: [0, 4]\n", 2, 1, "'layers' cannot be combined with slices:" },
        { "karcher takes no weights", "merge_method: karcher\nmodels:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\n", 4, 18, "unknown parameter 'weight' in models[0].parameters (model a) for merge_method 'karcher'; expected one of: max_iter, tol" },
        { "arcee_fusion takes no parameters", "merge_method: arcee_fusion\nbase_model: a\nmodels:\n  - model: a\n  - model: b\nparameters:\n  t: 0.5\n", 7, 3, "expected no parameters ('arcee_fusion' takes none)" },
        { "model listed twice", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: 1}\n  - model: a\n    parameters: {weight: 1}\n", 5, 12, "model 'a' is listed twice (first at line 3)" },
        { "tokenizer base without base model", "merge_method: linear\ntokenizer_source: base\n" + LinearTail, 2, 19, "the tokenizer source is 'base' but base_model is not set" },
        { "model_token with both token and id", "merge_method: linear\ntokenizer:\n  tokens:\n    x:\n      source: {kind: model_token, model: a, token: y, token_id: 3}\n" + LinearTail, 5, 15, "must name exactly one of token and token_id" },
        { "models is not a list", "merge_method: linear\nmodels: a\n", 2, 9, "models is the text 'a'; expected a list of entries such as '- model: NAME'" },
        { "filter entry without value", "merge_method: linear\n" + LinearTail + "parameters:\n  weight:\n    - filter: mlp\n", 7, 7, "parameters.weight[0] has no 'value'" },
        { "empty gradient", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: []}\n", 4, 26, "is an empty list" },
        { "linear base model without a weight", "merge_method: linear\nbase_model: org/c\n" + LinearTail, 2, 13, "base_model 'org/c' is merged as one more input, and it has no 'weight'" },
        { "key without a value", "merge_method: nearswap\nbase_model: b\nmodels:\n  - model: a\nparameters:\n  : 0.0001\n", 6, 4, "YAML syntax error: a mapping key has no value" },
        { "unclosed flow mapping across lines", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {w\night: 1.0}\n", 4, 17, "YAML syntax error: the text cannot be read past this point" },
        { "text in a gradient", "merge_method: linear\nmodels:\n  - model: a\n    parameters: {weight: [0, x]}\n", 4, 30, "weight[1] is the text 'x'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_config_reports_position_and_reason(string caseName, string yaml, int line, int column, string phrase)
    {
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(yaml, "bad.yml"));
        Assert.True(error.Message.StartsWith($"bad.yml:{line}:{column}: ", StringComparison.Ordinal),
            $"{caseName}: expected bad.yml:{line}:{column}, got: {error.Message}");
        Assert.Contains(phrase, error.Message, StringComparison.Ordinal);
        Assert.Contains("; ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_has_at_least_twenty_cases() => Assert.True(Cases().Count >= 20);

    [Fact]
    public void Oversized_config_is_refused_before_parsing()
    {
        var yaml = "merge_method: linear\nname: \"" + new string('x', YamlLoader.MaxBytes) + "\"\n" + LinearTail;
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(yaml, "big.yml"));
        Assert.StartsWith("big.yml:1:1: the config is ", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected at most 1048576 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursion()
    {
        // 100 000 nested flow lists: a recursive loader would overflow the stack; the event check stops at depth 32.
        var yaml = "merge_method: linear\nname: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(yaml, "deep.yml"));
        Assert.StartsWith("deep.yml:2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("nesting is deeper than 32 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_bomb_is_refused_at_the_first_alias()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.Parse(yaml, "bomb.yml"));
        Assert.StartsWith("bomb.yml:2:8: YAML alias '*a' is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "alloy-no-such-config-" + Guid.NewGuid().ToString("N") + ".yml");
        var error = Assert.Throws<AlloyInputException>(() => MergeConfigParser.ParseFile(path));
        Assert.StartsWith(path + ": the merge config file does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lookup_without_a_method_refuses_it()
    {
        var onlyLinear = MethodSchemas.Mergekit.Only("linear", "slerp");
        var error = Assert.Throws<AlloyInputException>(() =>
            MergeConfigParser.Parse("merge_method: ties\nbase_model: b\n" + LinearTail, "m.yml", onlyLinear));
        Assert.StartsWith("m.yml:1:15: unknown merge_method 'ties'; expected one of: linear, slerp", error.Message, StringComparison.Ordinal);
    }
}
