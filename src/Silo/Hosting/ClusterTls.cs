using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DynamoWriter.Configuration;
using DynamoWriter.Options;
using Orleans.Connections.Security;

namespace DynamoWriter.Silo.Hosting;

/// <summary>
/// <c>sc.orleans.tls</c> through Microsoft.Orleans.Connections.Security, for the silo (silo-to-silo and its
/// gateway) and for the client <c>status</c> uses. Mutual: both ends present the configured certificate and
/// require the other's.
/// </summary>
internal static class ClusterTls
{
    public static void Configure(ISiloBuilder silo, ClusterTlsOptions tls)
    {
        if (tls.Enabled)
        {
            var certificate = ClusterCertificate.Load(tls);
            silo.UseTls(certificate, o => Apply(o, certificate));
        }
    }

    public static void Configure(IClientBuilder client, ClusterTlsOptions tls)
    {
        if (tls.Enabled)
        {
            var certificate = ClusterCertificate.Load(tls);
            client.UseTls(certificate, o => Apply(o, certificate));
        }
    }

    private static void Apply(TlsOptions options, X509Certificate2 certificate)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Orleans only allows a client certificate at the gateway by default; a client of the cluster must prove itself too.
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, errors) => Accepts(remote, errors, certificate);
    }

    /// <summary>
    /// A certificate the platform trusts (a CA's, with the host name matching), or this very certificate: the
    /// usual cluster setup is one certificate, often self-signed, shared by every silo through one secret, and
    /// a peer presenting it holds its private key (TLS proves that). Anything else is refused.
    /// </summary>
    internal static bool Accepts(X509Certificate2? remote, SslPolicyErrors errors, X509Certificate2 own) =>
        errors == SslPolicyErrors.None
        || (remote is not null && remote.RawDataMemory.Span.SequenceEqual(own.RawDataMemory.Span));
}
