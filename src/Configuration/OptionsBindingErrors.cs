namespace DynamoWriter.Configuration;

/// <summary>
/// The binder's errors from the last time the options were built. The binder runs inside
/// <c>Configure</c>, which cannot fail with a list; the validator reads them from here so that one
/// start-up message reports conversion errors and semantic errors together.
/// </summary>
public sealed class OptionsBindingErrors
{
    private volatile IReadOnlyList<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Replaces the errors: a reload that fixed the file must not keep reporting old mistakes.</summary>
    public void Set(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        _errors = errors;
    }
}
