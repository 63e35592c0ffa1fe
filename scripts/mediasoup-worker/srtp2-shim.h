// Force-included into every C++ unit of the mediasoup worker when it is built against
// Debian's libsrtp 2.5 instead of versatica's libsrtp fork (see scripts/lib/mediasoup-worker.mjs).
// The fork takes size_t* packet lengths and names one function differently; these
// overloads adapt the calls without touching mediasoup's sources.
#pragma once
#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <srtp2/srtp.h>

#define srtp_stream_remove srtp_remove_stream

namespace ms_srtp2_shim
{
	template<typename Fn>
	inline srtp_err_status_t withIntLength(Fn fn, size_t* len)
	{
		if (*len > static_cast<size_t>(INT_MAX))
			return srtp_err_status_bad_param;
		int intLen = static_cast<int>(*len);
		const srtp_err_status_t err = fn(&intLen);
		*len = static_cast<size_t>(intLen);
		return err;
	}
} // namespace ms_srtp2_shim

inline srtp_err_status_t srtp_protect(srtp_t ctx, void* hdr, size_t* len)
{
	return ms_srtp2_shim::withIntLength([&](int* l) { return srtp_protect(ctx, hdr, l); }, len);
}
inline srtp_err_status_t srtp_unprotect(srtp_t ctx, void* hdr, size_t* len)
{
	return ms_srtp2_shim::withIntLength([&](int* l) { return srtp_unprotect(ctx, hdr, l); }, len);
}
inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx, void* hdr, size_t* len)
{
	return ms_srtp2_shim::withIntLength([&](int* l) { return srtp_protect_rtcp(ctx, hdr, l); }, len);
}
inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, void* hdr, size_t* len)
{
	return ms_srtp2_shim::withIntLength([&](int* l) { return srtp_unprotect_rtcp(ctx, hdr, l); }, len);
}
#endif
