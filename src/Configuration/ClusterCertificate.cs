using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DynamoWriter.Options;

namespace DynamoWriter.Configuration;

/// <summary>
/// Opens the <c>sc.orleans.tls</c> certificate. The validator opens it too, so a missing file or a wrong
/// password is a configuration error at start, reported with the others, not a failed handshake later.
/// </summary>
public static class ClusterCertificate
{
    /// <summary>The certificate with its private key; throws what <see cref="X509CertificateLoader"/> throws.</summary>
    public static X509Certificate2 Load(ClusterTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        return X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.Password);
    }

    /// <summary>The configuration errors of <paramref name="tls"/>, each with its key path below <c>sc.</c>.</summary>
    internal static void Validate(ClusterTlsOptions tls, Action<string, string> add)
    {
        if (!tls.Enabled)
        {
            return;
        }

        if (!File.Exists(tls.CertificatePath))
        {
            add("orleans.tls.certificatePath", $"'{tls.CertificatePath}' does not exist");
            return;
        }

        try
        {
            using var certificate = Load(tls);
            if (!certificate.HasPrivateKey)
            {
                add("orleans.tls.certificatePath", $"'{tls.CertificatePath}' holds no private key; a silo needs one to accept TLS connections");
            }
        }
        catch (CryptographicException ex)
        {
            // The file is there, so the password is the likely culprit; the reason says if it is the file.
            add("orleans.tls.password", $"does not open '{tls.CertificatePath}' as a PFX file: {ex.Message}");
        }
    }
}
