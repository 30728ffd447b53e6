using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DynamoWriter.Tests;

/// <summary>A self-signed certificate exported as a password-protected PFX into a temporary file, deleted on dispose.</summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(string path, string password)
    {
        Path = path;
        Password = password;
    }

    public string Path { get; }

    public string Password { get; }

    public static TestCertificate Create(string password = "test-pfx-password")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=dynamo-writer-test", key, HashAlgorithmName.SHA256);
        // Both ends of a silo connection present it: as server and as client.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dw-tls-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new TestCertificate(path, password);
    }

    public void Dispose() => File.Delete(Path);
}
