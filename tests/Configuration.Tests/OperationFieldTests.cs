using System.Collections;
using DynamoWriter.Options;

namespace DynamoWriter.Configuration.Tests;

/// <summary><c>sc.mapping.operationField</c> through every way in: YAML, <c>SC_*</c> and the describer.</summary>
public class OperationFieldTests
{
    [Fact]
    public void Defaults_to_dw_op()
    {
        var (options, errors) = TestConfig.BindYaml("sc: { mapping: { format: json } }");

        Assert.Empty(errors);
        Assert.Equal("dw:op", options.Mapping.OperationField);
        Assert.Equal(MappingOptions.DefaultOperationField, options.Mapping.OperationField);
    }

    [Fact]
    public void Yaml_sets_it_and_an_empty_string_turns_deletes_off()
    {
        Assert.Equal("op", TestConfig.BindYaml("sc: { mapping: { operationField: op } }").Options.Mapping.OperationField);

        var (options, errors) = TestConfig.BindYaml("""sc: { mapping: { operationField: "" } }""");
        Assert.Empty(errors);
        Assert.Equal("", options.Mapping.OperationField);
    }

    [Fact]
    public void Environment_variable_overrides_the_yaml()
    {
        var root = TestConfig.FromYaml(
            "sc: { mapping: { operationField: op } }",
            new Hashtable { ["SC_MAPPING_OPERATIONFIELD"] = "action" });

        var (options, errors) = TestConfig.Bind(root);

        Assert.Empty(errors);
        Assert.Equal("action", options.Mapping.OperationField);
    }

    [Fact]
    public void Describer_lists_it_after_the_payload_field()
    {
        var lines = OptionsDescriber.Describe(new DynamoWriterOptions());

        var payload = lines.ToList().IndexOf("sc.mapping.payloadField = payload");
        Assert.True(payload >= 0);
        Assert.Equal("sc.mapping.operationField = dw:op", lines[payload + 1]);
    }
}
