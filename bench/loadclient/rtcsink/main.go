// rtcsink is the receiving half of the load client (bench/loadclient): many WebRTC peer
// connections in one process, each a classroom's receive transport, that count the RTP they
// get without decoding it.
//
// It is real WebRTC (pion): ICE with the SFU's ICE-lite transport, DTLS, SRTP, RTCP receiver
// reports, NACK and transport-wide congestion control feedback, so the SFU's bandwidth
// estimation and layer choice run as they do for a browser. What it leaves out is the
// browser's decoding and rendering, which is the point: a 2-core machine can then hold
// hundreds of receivers.
//
// The Node side drives it with JSON lines on stdin, one request each:
//
//	{"id":1,"method":"answer","params":{"pc":"c1","offer":"v=0..."}}
//
// and reads one JSON line per answer on stdout: {"id":1,"result":...} or {"id":1,"error":"..."}.
// Methods: answer (applies a remote offer to a peer connection, created on first use, and
// answers with the local SDP), accept (applies that answer), stats (every peer connection's state and every track's counters), close (one peer
// connection), quit.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

type request struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

type response struct {
	ID     int    `json:"id"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// trackCounters are one received track's figures; times are Unix ms (the caller's clock).
type trackCounters struct {
	Mid           string `json:"mid"`
	Kind          string `json:"kind"`
	SSRC          uint32 `json:"ssrc"`
	Packets       uint64 `json:"packets"`
	Bytes         uint64 `json:"bytes"`
	FirstPacketAt int64  `json:"firstPacketAt"`
	// Expected packets from the sequence numbers seen (first to highest), and how many of them
	// did not arrive (after retransmissions that arrived on the same stream).
	Expected uint64 `json:"expected"`
	Lost     uint64 `json:"lost"`
	// Video: the size of the last key frame (VP8 header), the first key frame's arrival.
	KeyFrames  uint64 `json:"keyFrames"`
	FirstKeyAt int64  `json:"firstKeyFrameAt"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	started    bool
	baseSeq    uint64
	highestSeq uint64
	lastSeq16  uint16
	cycles     uint64
}

type peer struct {
	pc          *webrtc.PeerConnection
	mu          sync.Mutex
	state       string
	createdAt   int64
	iceAt       int64
	connectedAt int64
	tracks      map[string]*trackCounters
	// Held from answer to accept: one offer/answer exchange at a time per peer connection.
	negotiating sync.Mutex
	pending     *webrtc.SessionDescription
}

type sink struct {
	api   *webrtc.API
	mu    sync.Mutex
	peers map[string]*peer
	out   *json.Encoder
	outMu sync.Mutex
}

func now() int64 { return time.Now().UnixMilli() }

func newAPI() (*webrtc.API, error) {
	media := &webrtc.MediaEngine{}
	if err := media.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	// Quiet unless asked (PION_LOG_DEBUG=… etc.): stdout is the protocol, stderr the caller's
	// console; a closed peer connection's interceptors would log a line each.
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelDisabled
	registry := &interceptor.Registry{}
	// NACK, RTCP reports, transport-wide CC feedback: what a browser's receiver sends.
	if err := webrtc.RegisterDefaultInterceptorsWithOptions(media, registry,
		webrtc.WithInterceptorLoggerFactory(logs)); err != nil {
		return nil, err
	}
	settings := webrtc.SettingEngine{}
	settings.LoggerFactory = logs
	// Loopback only: no mDNS, no other interfaces, UDP.
	settings.SetICEMulticastDNSMode(0)
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	settings.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	settings.SetIncludeLoopbackCandidate(true)
	// DTLS client, as a browser answering mediasoup-client's offer: the SFU is told so at
	// transport:connect. (Left to itself, pion as the controlling ICE agent of an ICE-lite
	// peer would take the server role, and both ends would wait for a ClientHello.)
	if err := settings.SetAnsweringDTLSRole(webrtc.DTLSRoleClient); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(media), webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(settings)), nil
}

func (s *sink) peer(id string) (*peer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.peers[id]; ok {
		return p, nil
	}
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, err
	}
	p := &peer{pc: pc, state: "new", createdAt: now(), tracks: map[string]*trackCounters{}}
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		p.mu.Lock()
		if st == webrtc.ICEConnectionStateConnected && p.iceAt == 0 {
			p.iceAt = now()
		}
		p.mu.Unlock()
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		p.mu.Lock()
		p.state = st.String()
		if st == webrtc.PeerConnectionStateConnected && p.connectedAt == 0 {
			p.connectedAt = now()
		}
		p.mu.Unlock()
	})
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		mid := ""
		for _, t := range pc.GetTransceivers() {
			if r := t.Receiver(); r != nil && r.Track() == track {
				mid = t.Mid()
			}
		}
		c := &trackCounters{Mid: mid, Kind: track.Kind().String(), SSRC: uint32(track.SSRC())}
		p.mu.Lock()
		p.tracks[mid] = c
		p.mu.Unlock()
		go p.read(track, c)
	})
	s.peers[id] = p
	return p, nil
}

// read counts a track's packets until it ends; nothing is decoded.
func (p *peer) read(track *webrtc.TrackRemote, c *trackCounters) {
	video := track.Kind() == webrtc.RTPCodecTypeVideo
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			continue
		}
		at := now()
		p.mu.Lock()
		c.count(&pkt, n, at)
		if video {
			if w, h, ok := vp8KeyFrameSize(pkt.Payload); ok {
				c.KeyFrames++
				if c.FirstKeyAt == 0 {
					c.FirstKeyAt = at
				}
				c.Width, c.Height = w, h
			}
		}
		p.mu.Unlock()
	}
}

func (c *trackCounters) count(pkt *rtp.Packet, size int, at int64) {
	c.Packets++
	c.Bytes += uint64(size)
	seq := pkt.SequenceNumber
	if !c.started {
		c.started = true
		c.FirstPacketAt = at
		c.baseSeq = uint64(seq)
		c.highestSeq = uint64(seq)
		c.lastSeq16 = seq
	} else if diff := seq - c.lastSeq16; diff != 0 && diff < 0x8000 {
		// Forward (modulo 2^16): a wrap adds a cycle.
		if seq < c.lastSeq16 {
			c.cycles++
		}
		c.lastSeq16 = seq
		c.highestSeq = c.cycles<<16 | uint64(seq)
	}
	c.Expected = c.highestSeq - c.baseSeq + 1
	if c.Expected > c.Packets {
		c.Lost = c.Expected - c.Packets
	} else {
		c.Lost = 0
	}
}

// vp8KeyFrameSize reads the picture size of a VP8 key frame from the first packet of its
// first partition (RFC 7741 payload descriptor, RFC 6386 frame header), without decoding.
func vp8KeyFrameSize(b []byte) (int, int, bool) {
	if len(b) < 1 {
		return 0, 0, false
	}
	first := b[0]
	start := first&0x10 != 0
	pid := first & 0x07
	i := 1
	if first&0x80 != 0 { // X: extension byte
		if len(b) <= i {
			return 0, 0, false
		}
		ext := b[i]
		i++
		if ext&0x80 != 0 { // I: picture id, 7 or 15 bits
			if len(b) <= i {
				return 0, 0, false
			}
			if b[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if ext&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if ext&0x30 != 0 { // T or K
			i++
		}
	}
	if !start || pid != 0 || len(b) < i+10 {
		return 0, 0, false
	}
	h := b[i:]
	if h[0]&0x01 != 0 { // P: an inter frame
		return 0, 0, false
	}
	if h[3] != 0x9d || h[4] != 0x01 || h[5] != 0x2a {
		return 0, 0, false
	}
	width := int(h[6]) | int(h[7]&0x3f)<<8
	height := int(h[8]) | int(h[9]&0x3f)<<8
	return width, height, true
}

type answerParams struct {
	PC    string `json:"pc"`
	Offer string `json:"offer"`
}

// answer applies a remote offer to a peer connection (created on first use) and answers it,
// without applying the answer yet: as a browser under mediasoup-client, the caller first
// tells the SFU its DTLS parameters, then calls accept, so the DTLS handshake never starts
// before the SFU's transport knows its role.
func (s *sink) answer(raw json.RawMessage) (any, error) {
	var params answerParams
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, err
	}
	p, err := s.peer(params.PC)
	if err != nil {
		return nil, err
	}
	p.negotiating.Lock()
	offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: params.Offer}
	if err := p.pc.SetRemoteDescription(offer); err != nil {
		p.negotiating.Unlock()
		return nil, fmt.Errorf("setRemoteDescription: %w", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		p.negotiating.Unlock()
		return nil, fmt.Errorf("createAnswer: %w", err)
	}
	p.pending = &answer
	return map[string]string{"answer": answer.SDP}, nil
}

// accept applies the answer made by the last call of answer.
func (s *sink) accept(raw json.RawMessage) (any, error) {
	var params struct {
		PC string `json:"pc"`
	}
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, err
	}
	s.mu.Lock()
	p, ok := s.peers[params.PC]
	s.mu.Unlock()
	if !ok || p.pending == nil {
		return nil, fmt.Errorf("no answer pending on %q", params.PC)
	}
	answer := *p.pending
	p.pending = nil
	defer p.negotiating.Unlock()
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return nil, fmt.Errorf("setLocalDescription: %w", err)
	}
	return nil, nil
}

type peerStats struct {
	PC          string          `json:"pc"`
	State       string          `json:"state"`
	CreatedAt   int64           `json:"createdAt"`
	IceAt       int64           `json:"iceConnectedAt"`
	ConnectedAt int64           `json:"connectedAt"`
	Tracks      []trackCounters `json:"tracks"`
}

func (s *sink) stats() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]peerStats, 0, len(s.peers))
	for id, p := range s.peers {
		p.mu.Lock()
		st := peerStats{PC: id, State: p.state, CreatedAt: p.createdAt, IceAt: p.iceAt, ConnectedAt: p.connectedAt}
		for _, c := range p.tracks {
			st.Tracks = append(st.Tracks, *c)
		}
		p.mu.Unlock()
		all = append(all, st)
	}
	return all
}

func (s *sink) close(raw json.RawMessage) (any, error) {
	var params struct {
		PC string `json:"pc"`
	}
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, err
	}
	s.mu.Lock()
	p, ok := s.peers[params.PC]
	delete(s.peers, params.PC)
	s.mu.Unlock()
	if ok {
		return nil, p.pc.Close()
	}
	return nil, nil
}

func (s *sink) reply(r response) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	_ = s.out.Encode(r)
}

func main() {
	api, err := newAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := &sink{api: api, peers: map[string]*peer{}, out: json.NewEncoder(os.Stdout)}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var req request
		if err := json.Unmarshal(line, &req); err != nil {
			s.reply(response{ID: -1, Error: "bad request: " + err.Error()})
			continue
		}
		// Each request in its own goroutine: a negotiation must not hold up the others.
		go func(req request) {
			var result any
			var err error
			switch req.Method {
			case "answer":
				result, err = s.answer(req.Params)
			case "accept":
				result, err = s.accept(req.Params)
			case "stats":
				result = s.stats()
			case "close":
				result, err = s.close(req.Params)
			case "quit":
				s.mu.Lock()
				ids := make([]string, 0, len(s.peers))
				for id := range s.peers {
					ids = append(ids, id)
				}
				s.mu.Unlock()
				for _, id := range ids {
					_, _ = s.close(json.RawMessage(fmt.Sprintf(`{"pc":%q}`, id)))
				}
				s.reply(response{ID: req.ID, Result: true})
				os.Exit(0)
			default:
				err = fmt.Errorf("unknown method %q", req.Method)
			}
			if err != nil {
				s.reply(response{ID: req.ID, Error: err.Error()})
				return
			}
			if result == nil {
				result = true
			}
			s.reply(response{ID: req.ID, Result: result})
		}(req)
	}
}
