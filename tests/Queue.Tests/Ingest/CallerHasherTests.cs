using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Queue.EventLog;
using Queue.Ingest;

namespace Queue.Tests.Ingest;

/// <summary>Stored events depend on these hashes: the same number must give the same hash for ever, on any thread.</summary>
public sealed class CallerHasherTests
{
    const string Secret = "a-caller-hash-secret-of-at-least-32-characters";
    readonly CallerHasher hasher = new(Options.Create(new IngestOptions { CallerHashSecret = Secret }));

    static string Reference(string digits) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(digits)));

    [Theory]
    [InlineData("+7 (912) 000-00-00", "79120000000")]
    [InlineData("+79120000000", "79120000000")]
    [InlineData("12345", "12345")]
    [InlineData("++(1) 2-3 45", "12345")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void A_number_is_hashed_by_its_digits(string number, string digits)
    {
        Assert.Equal(digits, CallerHasher.Normalize(number));
        Assert.Equal(Reference(digits), hasher.HashNumber(number));
        Assert.Equal(Reference(digits), hasher.Hash(digits));
    }

    [Fact]
    public void The_hash_of_a_known_number_never_changes()
    {
        Assert.Equal("9b5862c9e1414b169e4464c4f1b3c3e7a576e1fa570439f2a4d25938e039054d", hasher.HashNumber("+7 912 000 00 00"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234")]
    [InlineData("123456789012345678901")]
    [InlineData("1+2345")]
    [InlineData("12345 ext 6")]
    [InlineData("+7912x5550199")]
    [InlineData("１2345")]
    public void What_is_not_a_phone_number_has_no_hash(string number)
    {
        Assert.Null(CallerHasher.Normalize(number));
        Assert.Null(hasher.HashNumber(number));
    }

    [Fact]
    public void Hashing_on_many_threads_at_once_gives_the_same_hashes()
    {
        var numbers = Enumerable.Range(0, 2_000).Select(i => $"+7 912 {i:0000000}").ToArray();
        var expected = numbers.Select(n => Reference(CallerHasher.Normalize(n)!)).ToArray();
        var actual = new string?[numbers.Length];

        Parallel.For(0, numbers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = hasher.HashNumber(numbers[i]));

        Assert.Equal(expected, actual);
    }
}
