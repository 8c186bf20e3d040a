// Spectre progress bars for hub downloads (one per file: bytes, rate, ETA) on stderr when it is a terminal;
// nothing at all in redirected output or tests. Rendering only; Alloy.Tensors.Hub reports the progress.
using Alloy.Tensors.Hub;
using Spectre.Console;

namespace Alloy.Cli;

internal static class HubProgressBars
{
    /// <summary>Runs <paramref name="work"/> with a progress sink that draws bars, or with none when stderr is not the terminal.</summary>
    public static T Run<T>(TextWriter stderr, Func<IProgress<HubProgress>?, Task<T>> work)
    {
        if (stderr != System.Console.Error || System.Console.IsErrorRedirected)
            return work(null).GetAwaiter().GetResult();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(context => work(new Bars(context)))
            .GetAwaiter().GetResult();
    }

    private sealed class Bars(ProgressContext context) : IProgress<HubProgress>
    {
        private readonly Dictionary<string, ProgressTask> tasks = new(StringComparer.Ordinal);

        public void Report(HubProgress value)
        {
            lock (tasks)
            {
                if (!tasks.TryGetValue(value.File, out var task))
                {
                    task = context.AddTask(Markup.Escape(value.File), maxValue: Math.Max(1, value.TotalBytes));
                    tasks[value.File] = task;
                }
                if (value.TotalBytes > 0)
                    task.MaxValue = value.TotalBytes;
                task.Value = Math.Min(value.BytesDone, task.MaxValue);
                if (value.Completed)
                {
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }
        }
    }
}
