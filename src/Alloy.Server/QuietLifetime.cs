// A host lifetime that installs no signal handlers and prints nothing: whoever starts the server (the CLI verb, a
// test) decides when it stops. It replaces ASP.NET Core's console lifetime.
using Microsoft.Extensions.Hosting;

namespace Alloy.Server;

/// <summary>An <see cref="IHostLifetime"/> that does nothing; the owner of <see cref="AlloyServer"/> calls StopAsync.</summary>
internal sealed class QuietLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
