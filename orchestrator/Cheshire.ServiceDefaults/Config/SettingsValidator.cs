using Microsoft.Extensions.Options;

namespace Cheshire.ServiceDefaults.Config;

/// <summary>
/// A settings class's own check as an options validator: the message of the exception it throws (the settings
/// classes' habit: "Styx:ResolveSeconds 0 must be more than 0 …") is the failure.
/// </summary>
public sealed class SettingsValidator<TSettings>(Action<TSettings> validate) : IValidateOptions<TSettings> where TSettings : class
{
    public ValidateOptionsResult Validate(string? name, TSettings options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
