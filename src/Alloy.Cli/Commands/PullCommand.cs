// `alloy pull REF`: downloads the files Alloy needs of a hub model into the shared huggingface_hub cache and
// prints the local snapshot folder. Parsing and printing only; Alloy.Tensors.Hub does the work.
using System.CommandLine;
using Alloy.Tensors.Hub;

namespace Alloy.Cli.Commands;

internal static class PullCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var reference = new Argument<string>("REF") { Description = "A hub model, org/name[@revision] (a branch, tag or commit; default main)" };
        var command = new Command("pull", "Download a hub model's safetensors, config and tokenizer files into the Hugging Face cache and print its folder")
        {
            reference,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var model = ModelReference.Parse(parse.GetValue(reference)!);
            var options = ModelArgument.HubOptions();
            try
            {
                var folder = HubProgressBars.Run(stderr, progress => HubModelResolver.SnapshotAsync(model, options, progress, cancellationToken));
                stdout.WriteLine(folder);
                return ExitCodes.Success;
            }
            catch (HubIntegrityException e)
            {
                stderr.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            }
            catch (HttpRequestException e)
            {
                stderr.WriteLine($"error: pulling {model} from {options.Endpoint} failed: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
