using System.Buffers.Binary;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

/// <summary>Generates hostile frames: mutated valid frames, truncated and padded bodies, random types and bytes.</summary>
internal sealed class FrameMutator(int seed, Dialect dialect, bool requestsOnly = false)
{
    private readonly Random _random = new(seed);
    private readonly byte[][] _seeds = SampleMessages.All()
        .Where(m => !requestsOnly || ((byte)m.Type % 2 == 0 && m.Type != MessageType.Tversion))
        .Select(m => StyxMessageWriter.ToArray(m, dialect))
        .ToArray();

    public byte[] Next()
    {
        var frame = (byte[])_seeds[_random.Next(_seeds.Length)].Clone();
        switch (_random.Next(7))
        {
            case 0:
                return frame;
            case 1:
                for (int i = _random.Next(1, 5); i > 0; i--) frame[_random.Next(frame.Length)] = (byte)_random.Next(256);
                return frame;
            case 2:
                for (int i = _random.Next(1, 3); i > 0; i--) frame[_random.Next(7, Math.Max(8, frame.Length))
                    % frame.Length] = _random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                return frame;
            case 3:
                return WithSize(frame.AsSpan(0, _random.Next(7, frame.Length + 1)).ToArray());
            case 4:
                var padded = new byte[frame.Length + _random.Next(1, 40)];
                frame.CopyTo(padded, 0);
                _random.NextBytes(padded.AsSpan(frame.Length));
                return WithSize(padded);
            case 5:
                var random = new byte[_random.Next(7, 80)];
                _random.NextBytes(random);
                random[4] = (byte)_random.Next(256);
                return WithSize(random);
            default:
                var noise = new byte[_random.Next(0, 24)];
                _random.NextBytes(noise);
                return noise;
        }
    }

    private static byte[] WithSize(byte[] frame)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)frame.Length);
        return frame;
    }
}
