#!/usr/bin/env python3
"""Delays the packets of one netfilter queue by a fixed time, then accepts them.

This kernel has no sch_netem (CONFIG_NET_SCH_NETEM is not set), so a link's delay is made
in user space: an nftables rule sends the namespace's packets to NFQUEUE <queue>, and this
program gives each one its ACCEPT verdict <delay_ms> later, in arrival order. Packet
contents are never copied (meta-data mode). Standard library only: the nfnetlink_queue
protocol is spoken over a raw AF_NETLINK socket.

Usage: nfqdelay.py <queue> <delay_ms>   (run inside the namespace, as root; stops on SIGTERM)
"""
import collections
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack('=HH', length, kind) + payload + b'\0' * ((4 - length % 4) % 4)


def message(msg_type, queue, attrs, seq=0):
    body = struct.pack('!BBH', socket.AF_UNSPEC, 0, queue) + b''.join(attrs)
    header = struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, NLM_F_REQUEST, seq, 0)
    return header + body


def attributes(data):
    at = 0
    while at + 4 <= len(data):
        length, kind = struct.unpack_from('=HH', data, at)
        if length < 4:
            break
        yield kind & 0x7FFF, data[at + 4 : at + length]
        at += (length + 3) & ~3


def main():
    queue, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    sock.send(message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_CMD, struct.pack('!BBH', NFQNL_CFG_CMD_BIND, 0, 0))]))
    sock.send(
        message(
            NFQNL_MSG_CONFIG,
            queue,
            [attr(NFQA_CFG_PARAMS, struct.pack('!IB', 0, NFQNL_COPY_META)), attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack('!I', 8192))],
        )
    )
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    signal.signal(signal.SIGINT, lambda *_: running.__setitem__(0, False))
    held = collections.deque()  # (due time, packet id), in arrival order
    print('ready', flush=True)
    while running[0]:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, packet_id = held.popleft()
            verdict = attr(NFQA_VERDICT_HDR, struct.pack('!II', NF_ACCEPT, packet_id))
            sock.send(message(NFQNL_MSG_VERDICT, queue, [verdict]))
        timeout = max(0.0, held[0][0] - now) if held else 0.5
        try:
            readable, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not readable:
            continue
        data = sock.recv(1 << 16)
        arrived = time.monotonic()
        at = 0
        while at + 16 <= len(data):
            length, msg_type = struct.unpack_from('=IH', data, at)
            if length < 16:
                break
            if msg_type == NLMSG_ERROR:
                (error,) = struct.unpack_from('=i', data, at + 16)
                if error:
                    print(f'netlink error {error}', file=sys.stderr, flush=True)
                    sys.exit(1)
            elif msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                for kind, value in attributes(data[at + 20 : at + length]):
                    if kind == NFQA_PACKET_HDR:
                        held.append((arrived + delay, struct.unpack_from('!I', value)[0]))
            at += (length + 3) & ~3


if __name__ == '__main__':
    main()
