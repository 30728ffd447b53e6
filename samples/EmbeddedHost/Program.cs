using DynamoWriter.Samples.EmbeddedHost;

await using var app = SampleApp.Build(args);
await app.RunAsync();
