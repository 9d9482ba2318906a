using Queue.Simulator;

return await Cli.RunAsync(args);
