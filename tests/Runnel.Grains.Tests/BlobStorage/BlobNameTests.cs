using Runnel.Grains.BlobStorage;

namespace Runnel.Grains.Tests.BlobStorage;

public sealed class BlobNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("topics/orders/7/00000000000000001234.log")]
    [InlineData("manifest=v1.json")]
    [InlineData("x_y-z~w.tar.gz")]
    [InlineData(".hidden/file")]
    public void Valid_names_pass(string name)
    {
        BlobName.Validate(name);
        Assert.True(BlobName.IsValid(name));
    }

    [Fact]
    public void A_name_of_1025_characters_is_too_long()
    {
        Assert.True(BlobName.IsValid(new string('a', 1024)));
        var error = Assert.Throws<ArgumentException>(() => BlobName.Validate(new string('a', 1025)));
        Assert.Contains("at most 1024", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..", "'..'")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("C:\\x", "character")]
    [InlineData("é", "character")]
    [InlineData("a//b", "empty segment")]
    public void Invalid_names_say_which_rule_they_break(string name, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => BlobName.Validate(name));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("topics/")]
    [InlineData("topics/ord")]
    public void Prefixes_may_be_empty_or_end_anywhere(string prefix) => BlobName.ValidatePrefix(prefix);

    [Theory]
    [InlineData("../")]
    [InlineData("/abs")]
    [InlineData("a//")]
    public void Prefixes_follow_the_name_rules_otherwise(string prefix) =>
        Assert.Throws<ArgumentException>(() => BlobName.ValidatePrefix(prefix));
}
