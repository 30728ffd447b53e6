using System.CommandLine;
using DynamoWriter.Silo.Commands;

var root = new RootCommand("DynamoWriter: persists Redis/Valkey stream entries into Amazon DynamoDB.");
var run = RunCommand.Create();
root.Subcommands.Add(run);
root.Subcommands.Add(ProduceCommand.Create());
root.Subcommands.Add(PeekCommand.Create());
root.Subcommands.Add(DlqCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
// `dynamo-writer` with no command runs the service, as the Go service did.
root.Options.Add(CommonOptions.Config);
root.SetAction((parse, ct) => RunCommand.ExecuteAsync(parse, ct));

// The host handles SIGTERM/Ctrl-C itself and needs the whole sc.shutdownTimeout to drain; the command
// line library's own handler would end the process after its short default.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await root.Parse(args).InvokeAsync(invocation);
