namespace DynamoWriter.Options;

/// <summary>
/// The <c>sc.orleans.tls</c> section: TLS on the silo-to-silo and gateway connections (mutual: every silo and
/// client presents the certificate). An empty <see cref="CertificatePath"/> means plain TCP.
/// </summary>
public sealed class ClusterTlsOptions
{
    /// <summary>A PKCS#12 (PFX) file holding the certificate and its private key; empty = no TLS.</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>The PFX file's password (a secret: masked in the start-up log).</summary>
    public string Password { get; set; } = "";

    /// <summary>True when a certificate is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
