// Entry point of the `alloy` command: builds the verb tree and maps failures to exit codes.
// No merging, inference or evaluation logic lives here; verbs call into the libraries.
using System.CommandLine;
using Alloy.Cli;

return AlloyCommand.Run(args, Console.Out, Console.Error);
