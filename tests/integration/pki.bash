# Test PKI for the registry TLS tests (registry.bats, pull-images.bats).

# make_pki: a CA, a server certificate for 127.0.0.1 and a client one, in $D/pki
make_pki() {
	mkdir -p "$D/pki"
	(
		cd "$D/pki"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=berth-test-ca \
			-keyout ca.key -out ca.crt 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key \
			-out server.csr 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile server.ext -out server.crt 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client.key \
			-out client.csr 2>/dev/null
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile client.ext -out client.cert 2>/dev/null
	)
}
