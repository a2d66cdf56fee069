package dev.jeton.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;

/**
 * One account's signing key, ready to use: each key is bound to exactly one algorithm (RFC 8725
 * 3.1), and {@code signer} is null for keys that only verify.
 */
record SigningKey(String kid, JWSAlgorithm alg, JWK publicJwk, JWSSigner signer,
    JWSVerifier verifier, String status, long createdAt, Long verifyUntil) {}
