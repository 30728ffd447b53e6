using DynamoWriter.Options;
using DynamoWriter.Tests;

namespace DynamoWriter.Configuration.Tests;

/// <summary><c>sc.orleans.tls</c>: a certificate that does not open is a start-up error with its key path, among the others.</summary>
public class ClusterTlsOptionsTests
{
    [Fact]
    public void No_certificate_path_means_no_tls_and_no_error()
    {
        var options = new DynamoWriterOptions();

        Assert.False(options.Orleans.Tls.Enabled);
        Assert.Empty(DynamoWriterOptionsValidator.Collect(options));
    }

    [Fact]
    public void A_readable_pfx_with_its_password_is_valid_and_the_password_is_masked()
    {
        using var pfx = TestCertificate.Create();
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new System.Collections.Hashtable
        {
            ["SC_ORLEANS_TLS_CERTIFICATEPATH"] = pfx.Path,
            ["SC_ORLEANS_TLS_PASSWORD"] = pfx.Password,
        }));

        Assert.Empty(errors);
        Assert.True(options.Orleans.Tls.Enabled);
        Assert.Empty(DynamoWriterOptionsValidator.Collect(options));
        var lines = OptionsDescriber.Describe(options);
        Assert.Contains($"sc.orleans.tls.certificatePath = {pfx.Path}", lines);
        Assert.Contains("sc.orleans.tls.password = ***", lines);
        using var certificate = ClusterCertificate.Load(options.Orleans.Tls);
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void A_missing_file_is_reported_with_the_other_errors()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"dw-missing-{Guid.NewGuid():N}.pfx");
        var options = new DynamoWriterOptions();
        options.Log.Level = "loud";
        options.Orleans.Tls.CertificatePath = missing;
        options.ShutdownTimeout = TimeSpan.Zero;

        var errors = DynamoWriterOptionsValidator.Collect(options);

        Assert.Equal(["sc.log.level", "sc.orleans.tls.certificatePath", "sc.shutdownTimeout"], errors.Select(e => e.KeyPath));
        Assert.Equal($"'{missing}' does not exist", errors[1].Message);
    }

    [Fact]
    public void A_wrong_password_names_the_password_key()
    {
        using var pfx = TestCertificate.Create();
        var options = new DynamoWriterOptions();
        options.Orleans.Tls.CertificatePath = pfx.Path;
        options.Orleans.Tls.Password = "not-the-password";

        var error = Assert.Single(DynamoWriterOptionsValidator.Collect(options));

        Assert.Equal("sc.orleans.tls.password", error.KeyPath);
        Assert.StartsWith($"does not open '{pfx.Path}' as a PFX file: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }
}
