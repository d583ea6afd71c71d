using System.Net.Sockets;
using System.Runtime.InteropServices;
using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// One file descriptor passed over a connected Unix socket (SCM_RIGHTS), and the peer's credentials (SO_PEERCRED).
/// Both calls never wait (MSG_DONTWAIT): the caller waits for readability with a zero-byte receive on the socket.
/// </summary>
internal static class UnixRights
{
    private const int SolSocket = 1, ScmRights = 1, SoPeerCred = 17;
    private const int MsgCtrunc = 0x8, MsgDontWait = 0x40, MsgNoSignal = 0x4000, MsgCmsgCloexec = 0x40000000;
    private const int HeaderSize = 16;               // struct cmsghdr on 64-bit Linux: size_t len; int level; int type
    private const int ControlSpace = HeaderSize + 8; // CMSG_SPACE(sizeof(int))

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendmsg(SafeSocketHandle socket, ref MessageHeader message, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recvmsg(SafeSocketHandle socket, ref MessageHeader message, int flags);

    /// <summary>The effective uid of this process, which a peer must have.</summary>
    public static uint OwnUid => LibC.geteuid();

    /// <summary>The uid of the process at the other end, as the kernel recorded it at connect.</summary>
    public static uint PeerUid(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        if (socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) != 12)
            throw new IOException("the socket gave no peer credentials");
        return BitConverter.ToUInt32(credentials[4..]);
    }

    /// <summary>Sends <paramref name="data"/> in one message, with <paramref name="descriptor"/> attached when given.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> data, SafeHandle? descriptor)
    {
        Require64Bit();
        nint buffer = Marshal.AllocHGlobal(data.Length + ControlSpace);
        bool added = false;
        try
        {
            Marshal.Copy(data.ToArray(), 0, buffer, data.Length);
            var iov = new[] { new LibC.Iovec { Base = buffer, Length = (nuint)data.Length } };
            var pinned = GCHandle.Alloc(iov, GCHandleType.Pinned);
            try
            {
                var header = new MessageHeader { Iov = pinned.AddrOfPinnedObject(), IovLength = 1 };
                if (descriptor is not null)
                {
                    descriptor.DangerousAddRef(ref added);
                    nint control = buffer + data.Length;
                    Marshal.WriteInt64(control, HeaderSize + sizeof(int));
                    Marshal.WriteInt32(control, 8, SolSocket);
                    Marshal.WriteInt32(control, 12, ScmRights);
                    Marshal.WriteInt32(control, HeaderSize, (int)descriptor.DangerousGetHandle());
                    Marshal.WriteInt32(control, HeaderSize + 4, 0);
                    header.Control = control;
                    header.ControlLength = ControlSpace;
                }
                nint sent = sendmsg(socket.SafeHandle, ref header, MsgDontWait | MsgNoSignal);
                if (sent < 0) throw new IOException($"sendmsg: {ErrnoText.Of((Errno)Marshal.GetLastPInvokeError())}");
                if (sent != data.Length) throw new IOException($"sendmsg sent {sent} of {data.Length} bytes");
            }
            finally
            {
                pinned.Free();
            }
        }
        finally
        {
            if (added) descriptor!.DangerousRelease();
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>
    /// Receives what is there into <paramref name="buffer"/>: the byte count (0 at end of stream, -1 when nothing is
    /// there yet) and the descriptor that came with it, if any. More descriptors than one are an error.
    /// </summary>
    public static (int Count, SafeFileHandle? Descriptor) Receive(Socket socket, Span<byte> buffer)
    {
        Require64Bit();
        nint native = Marshal.AllocHGlobal(buffer.Length + ControlSpace);
        try
        {
            var iov = new[] { new LibC.Iovec { Base = native, Length = (nuint)buffer.Length } };
            var pinned = GCHandle.Alloc(iov, GCHandleType.Pinned);
            try
            {
                nint control = native + buffer.Length;
                var header = new MessageHeader { Iov = pinned.AddrOfPinnedObject(), IovLength = 1, Control = control, ControlLength = ControlSpace };
                nint count = recvmsg(socket.SafeHandle, ref header, MsgDontWait | MsgCmsgCloexec);
                if (count < 0)
                {
                    var errno = (Errno)Marshal.GetLastPInvokeError();
                    if (errno is Errno.EAGAIN or Errno.EINTR) return (-1, null);
                    throw new IOException($"recvmsg: {ErrnoText.Of(errno)}");
                }
                SafeFileHandle? descriptor = null;
                if (header.ControlLength >= HeaderSize + sizeof(int) && Marshal.ReadInt32(control, 8) == SolSocket && Marshal.ReadInt32(control, 12) == ScmRights)
                    descriptor = new SafeFileHandle(Marshal.ReadInt32(control, HeaderSize), ownsHandle: true);
                if ((header.Flags & MsgCtrunc) != 0)
                {
                    descriptor?.Dispose();
                    throw new IOException("the peer sent more than one descriptor");
                }
                var received = new byte[(int)count];
                Marshal.Copy(native, received, 0, (int)count);
                received.CopyTo(buffer);
                return ((int)count, descriptor);
            }
            finally
            {
                pinned.Free();
            }
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }

    private static void Require64Bit()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
            throw new PlatformNotSupportedException("passing descriptors needs 64-bit Linux");
    }
}
