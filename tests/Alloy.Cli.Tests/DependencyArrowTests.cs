// The assembly arrows of DESIGN.md, checked on the compiled assemblies: each Alloy assembly may
// reference only the Alloy assemblies its arrow allows.
using System.Reflection;

namespace Alloy.Cli.Tests;

public class DependencyArrowTests
{
    public static TheoryData<string, string[]> Allowed => new()
    {
        { "Alloy.Tensors", [] },
        { "Alloy.Merging", ["Alloy.Tensors"] },
        { "Alloy.Inference", ["Alloy.Tensors"] },
        { "Alloy.Evaluation", ["Alloy.Inference", "Alloy.Tensors"] },
        { "Alloy.Analysis", ["Alloy.Evaluation", "Alloy.Inference", "Alloy.Merging", "Alloy.Tensors"] }, // Sweep/ builds variants (approved)
        { "Alloy.Server", ["Alloy.Inference", "Alloy.Tensors"] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Assembly_references_only_what_its_arrow_allows(string assembly, string[] allowed)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => n.StartsWith("Alloy.", StringComparison.Ordinal) || n == "alloy")
            .ToArray();
        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void The_cli_assembly_is_named_alloy()
    {
        Assert.Equal("alloy", typeof(AlloyCommand).Assembly.GetName().Name);
    }
}
