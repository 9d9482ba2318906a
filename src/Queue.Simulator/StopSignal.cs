using System.Runtime.InteropServices;

namespace Queue.Simulator;

/// <summary>Ctrl+C or SIGTERM (a service manager, ops/demo's trap) cancels <see cref="Token"/> instead of killing the process.</summary>
internal sealed class StopSignal : IDisposable
{
    readonly CancellationTokenSource cancel = new();
    readonly PosixSignalRegistration sigint;
    readonly PosixSignalRegistration sigterm;

    public StopSignal(Action? onStop = null)
    {
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            onStop?.Invoke();
            cancel.Cancel();
        }
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => cancel.Token;

    public bool Stopped => cancel.IsCancellationRequested;

    /// <summary>Stops as a signal would: what runs on <see cref="Token"/> winds down.</summary>
    public Task CancelAsync() => cancel.CancelAsync();

    public void Dispose()
    {
        sigint.Dispose();
        sigterm.Dispose();
        cancel.Dispose();
    }
}
