"""Shared test data: a catalogue (image with os_distro, keypair) for a project."""
PUBKEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE "
          "test@magnum")


def catalogue(tc, image="deb", distro="debian", keypair="k1", **who):
    """Create an image and a keypair as the identity in who (api() kwargs)."""
    if not tc.api("GET", "/image/v2/images?name=" + image, **who).json["images"]:
        r = tc.api("POST", "/image/v2/images", {"name": image, "os_distro": distro,
                                                "disk_format": "raw",
                                                "container_format": "bare"}, **who)
        tc.assertStatus(r, 201)
    r = tc.api("POST", "/v2.1/os-keypairs", {"keypair": {"name": keypair, "public_key": PUBKEY}},
               **who)
    tc.assertIn(r.status, (200, 409))
    return r


def baymodel(tc, name="m1", era="bay", expect=201, **fields):
    body = {"name": name, "coe": "swarm", "image_id": "deb", "keypair_id": "k1",
            "external_network_id": "public"}
    body.update(fields)
    who = {k: body.pop(k) for k in ("user", "project", "roles") if k in body}
    coll = "baymodels" if era == "bay" else "clustertemplates"
    r = tc.api("POST", "/v1/" + coll, body, **who)
    tc.assertStatus(r, expect)
    return r.json
