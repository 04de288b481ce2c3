//! Which IP addresses are public: the one test every outbound fetch of a remote-supplied URL
//! passes before a connection is made (see [`super::guarded`]).
//!
//! Owns the list of special-purpose ranges (IANA IPv4 and IPv6 special-purpose registries,
//! RFC 6890 and successors). Must never call the network or resolve names: it judges
//! addresses only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is an ordinary public unicast address a remote image may live on. Everything
/// else — loopback, private, link-local, multicast, unique-local, CGNAT, documentation,
/// benchmarking, broadcast, unspecified, reserved, and IPv6 forms that embed one of those
/// (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) — is not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// IPv4 ranges that are not public, as (network, prefix length).
const NON_PUBLIC_V4: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),       // "this network", unspecified
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments (incl. NAT64 discovery)
    ([192, 0, 2, 0], 24),    // documentation TEST-NET-1
    ([192, 88, 99, 0], 24),  // 6to4 relay anycast (deprecated)
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation TEST-NET-2
    ([203, 0, 113, 0], 24),  // documentation TEST-NET-3
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and 255.255.255.255 broadcast
];

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let addr = u32::from(ip);
    !NON_PUBLIC_V4.iter().any(|(net, len)| {
        let mask = u32::MAX << (32 - u32::from(*len));
        addr & mask == u32::from_be_bytes(*net)
    })
}

/// IPv6 ranges inside global unicast (2000::/3) that are not public, as (network, length).
const NON_PUBLIC_V6: &[(u128, u8)] = &[
    (0x2001_0000 << 96, 23), // IETF protocol assignments (Teredo, benchmarking, ORCHID...)
    (0x2001_0db8 << 96, 32), // documentation
    (0x3fff_0000 << 96, 20), // documentation (RFC 9637)
];

fn in_net(addr: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    };
    addr & mask == net & mask
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let addr = u128::from(ip);
    let embedded = |shift: u32| Ipv4Addr::from((addr >> shift) as u32);
    // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address is what is reached.
    if in_net(addr, 0xffff << 32, 96) {
        return is_public_v4(embedded(0));
    }
    // NAT64 well-known prefix (64:ff9b::/96): DNS64 networks reach every IPv4-only host
    // through it, so it is as public as the IPv4 address it carries.
    if in_net(addr, 0x0064_ff9b << 96, 96) {
        return is_public_v4(embedded(0));
    }
    // 6to4 (2002::/16) carries an IPv4 address in bits 16..48.
    if in_net(addr, 0x2002 << 112, 16) {
        return is_public_v4(embedded(80));
    }
    // Only global unicast is public: this leaves out ::/96 (unspecified, loopback,
    // IPv4-compatible), the local-use NAT64 prefix, discard-only, unique-local (fc00::/7),
    // link-local (fe80::/10), site-local and multicast (ff00::/8).
    if !in_net(addr, 0x2000 << 112, 3) {
        return false;
    }
    !NON_PUBLIC_V6
        .iter()
        .any(|(net, len)| in_net(addr, *net, *len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn ordinary_public_addresses_pass() {
        for ok in [
            "1.1.1.1",
            "8.8.8.8",
            "151.101.1.140",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "2606:4700::1111",
            "2a04:4e42::347",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(public(ok), "{ok} is public");
        }
    }

    #[test]
    fn every_non_public_range_is_refused() {
        for bad in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.170",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.251",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:0001::1",
            "2002:c0a8:0101::1",
            "3fff::1",
            "5f00::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!public(bad), "{bad} must be refused");
        }
    }
}
