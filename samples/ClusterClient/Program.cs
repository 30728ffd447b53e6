using DynamoWriter.Samples.ClusterClient;

// dotnet run --project samples/ClusterClient -- --stream events --count 100 [--redis 127.0.0.1:6379] [--gateway-port 30000]
return await ClientApp.RunAsync(ClientSettings.Parse(args), Console.Out, CancellationToken.None);
