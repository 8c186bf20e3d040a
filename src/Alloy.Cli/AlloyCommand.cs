// The verb tree of `alloy` and the one place where exceptions become exit codes (0, 1, 2).
// Each verb lives in Commands/ and only parses, prints and calls the libraries.
using System.CommandLine;
using Alloy.Tensors;

namespace Alloy.Cli;

/// <summary>Exit codes of the `alloy` command (the CLI contract in DESIGN.md).</summary>
public static class ExitCodes
{
    /// <summary>The work succeeded.</summary>
    public const int Success = 0;
    /// <summary>The work failed (a bug or an environment failure, reported with details).</summary>
    public const int Failure = 1;
    /// <summary>Bad usage or bad input; the message names the file or field and says what would be right.</summary>
    public const int BadInput = 2;
}

/// <summary>Builds and runs the `alloy` command line.</summary>
public static class AlloyCommand
{
    /// <summary>Parses <paramref name="args"/>, runs the verb and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Run 'alloy --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            return parse.Invoke(config);
        }
        catch (AlloyInputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Alloy.Inference.Backends.GeneratorException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Alloy.Tensors.Hub.HubIntegrityException e)
        {
            // A download that failed its checksum: the environment's fault, not the user's input; nothing was cached.
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("cancelled");
            return ExitCodes.Failure;
        }
#pragma warning disable CA1031 // the top level reports every failure as exit code 1 rather than crashing
        catch (Exception e)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"alloy failed: {e}");
            return ExitCodes.Failure;
        }
    }

    internal static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Alloy: merge LLM checkpoints and chart what merging does to reasoning.");
        root.Subcommands.Add(Commands.InspectCommand.Create(stdout));
        root.Subcommands.Add(Commands.MergeCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.DiffCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.TokenizeCommand.Create(stdout));
        root.Subcommands.Add(Commands.TemplateCommand.Create(stdout));
        root.Subcommands.Add(Commands.LogitsCommand.Create(stdout));
        root.Subcommands.Add(Commands.GenerateCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.GradeCommand.Create(stdout));
        root.Subcommands.Add(Commands.EvalCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.ReportCommand.Create(stdout));
        root.Subcommands.Add(Commands.SweepCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.DemoCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.PullCommand.Create(stdout, stderr));
        root.Subcommands.Add(Commands.ServeCommand.Create(stdout, stderr));
        return root;
    }
}
