using System.Globalization;

namespace DynamoWriter.Configuration;

/// <summary>Checks for the address forms the configuration accepts.</summary>
internal static class Addresses
{
    /// <summary>
    /// <c>host:port</c> or <c>[ipv6]:port</c>, port 1..65535. On failure <paramref name="problem"/>
    /// says what is missing, because "invalid address" alone sends people guessing.
    /// </summary>
    public static bool IsHostPort(string address, out string problem)
    {
        problem = "";
        if (address.Contains("://", StringComparison.Ordinal))
        {
            problem = "expected host:port, not a URL";
            return false;
        }

        string host;
        string port;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "expected [ipv6-address]:port";
                return false;
            }

            host = address[1..close];
            port = address[(close + 2)..];
        }
        else
        {
            var colon = address.LastIndexOf(':');
            if (colon < 0)
            {
                problem = "the port is missing";
                return false;
            }

            host = address[..colon];
            port = address[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                problem = "write an IPv6 address in brackets, as [::1]:6379";
                return false;
            }
        }

        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            problem = "the host is missing or not a host name";
            return false;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            problem = "the port must be a number from 1 to 65535";
            return false;
        }

        return true;
    }

    /// <summary>An absolute http or https URL with a host.</summary>
    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
