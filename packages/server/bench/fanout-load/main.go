// Subscriber load process of bench/fanout.ts, in Go so that it costs the machine a fraction of
// what the server spends (the Node one, fanout-subscribers.ts, needed about as much CPU as the
// server at 1,000 connections, on the same two cores). Same protocol and checks as the Node one:
//
// argv[1]: JSON { urls, key, kind: "ws" | "sse", count }. Holds `count` live subscriptions,
// split over the servers; prints {"ready":n} once every one is live; then reads
// "finish <first position> <last position> <timeout ms>" on stdin, waits until every
// connection has the last position (or the timeout), prints {"stats":...} and exits.
//
// Every event is checked by position per connection (lost, duplicated, out of order) and timed
// from the writer's send time (`t` in the sequence's metadata, Unix epoch ms; `k` the mutation's
// index, < 0 during the warm-up). A subscriber closed as a slow consumer (4009, SSE
// SLOW_CONSUMER) reconnects and resumes from its last event id, as a client would.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

type options struct {
	URLs  []string `json:"urls"`
	Key   string   `json:"key"`
	Kind  string   `json:"kind"`
	Count int      `json:"count"`
}

var opts options

// Latency histogram: 0.1 ms buckets up to 200 s, shared by every connection (atomic counters).
const bucketMs = 0.1

var (
	histogram = make([]uint32, 2_000_000)
	samples   atomic.Int64
	// Per mutation index k: the last arrival (Unix µs) over this process's connections.
	lastArrival = make([]atomic.Int64, 1<<20)
	// Per mutation index k: the position of its event (to join with the server's fan-out reports).
	positionOfK = make([]atomic.Int64, 1<<20)
	maxK        atomic.Int64
)

func nowMs() float64 { return float64(time.Now().UnixNano()) / 1e6 }

type connection struct {
	last       atomic.Int64
	first      int64
	received   int64
	lost       int64
	duplicated int64
	outOfOrder int64
	reconnects atomic.Int64
	lastID     string
	live       chan struct{}
	liveOnce   sync.Once
	// Every timed arrival (mutation index, Unix ms), for commit-to-delivery once the server's
	// commit times are known (the "commits" command).
	arrivalsMu sync.Mutex
	arrivals   []timedArrival
}

type timedArrival struct {
	k  int32
	at float64
}

// numberAfter reads the number right after key in message, without parsing the JSON.
func numberAfter(message []byte, key []byte) (float64, bool) {
	at := bytes.Index(message, key)
	if at < 0 {
		return 0, false
	}
	start := at + len(key)
	end := start
	for end < len(message) {
		c := message[end]
		if !((c >= '0' && c <= '9') || c == '.' || c == '-' || c == 'e') {
			break
		}
		end++
	}
	v, err := strconv.ParseFloat(string(message[start:end]), 64)
	return v, err == nil
}

var (
	keyPosition = []byte(`"position":`)
	keyID       = []byte(`"id":"evt_`)
	keyT        = []byte(`"t":`)
	keyK        = []byte(`"k":`)
)

// take handles one event message (WebSocket `event` message or SSE block); only the connection's
// own goroutine calls it.
func (c *connection) take(message []byte) {
	arrival := nowMs()
	p, ok := numberAfter(message, keyPosition)
	if !ok {
		return
	}
	position := int64(p)
	if at := bytes.Index(message, keyID); at >= 0 && at+26 <= len(message) {
		c.lastID = string(message[at+6 : at+26])
	}
	last := c.last.Load()
	switch {
	case c.first == 0:
		c.first = position
	case position == last+1:
	case position <= last:
		c.duplicated++
		return
	default:
		c.lost += position - last - 1
		c.outOfOrder++
	}
	c.received++
	t, okT := numberAfter(message, keyT)
	k, okK := numberAfter(message, keyK)
	if okT && okK && k >= 0 {
		ms := arrival - t
		bucket := int(math.Round(ms / bucketMs))
		bucket = max(0, min(len(histogram)-1, bucket))
		atomic.AddUint32(&histogram[bucket], 1)
		samples.Add(1)
		c.arrivalsMu.Lock()
		c.arrivals = append(c.arrivals, timedArrival{int32(k), arrival})
		c.arrivalsMu.Unlock()
		if ki := int64(k); ki < int64(len(lastArrival)) {
			positionOfK[ki].Store(position)
			us := int64(arrival * 1000)
			for {
				old := lastArrival[ki].Load()
				if old >= us || lastArrival[ki].CompareAndSwap(old, us) {
					break
				}
			}
			for {
				old := maxK.Load()
				if old >= ki || maxK.CompareAndSwap(old, ki) {
					break
				}
			}
		}
	}
	c.last.Store(position)
}

func (c *connection) markLive() { c.liveOnce.Do(func() { close(c.live) }) }

var eventPrefix = []byte(`{"type":"event"`)

func runWs(url string, c *connection) {
	dialer := websocket.Dialer{HandshakeTimeout: 60 * time.Second, ReadBufferSize: 16 * 1024, WriteBufferSize: 1024}
	target := strings.Replace(url, "http", "ws", 1) + "/api/v1/ws"
	header := http.Header{"X-API-Key": []string{opts.Key}}
	for {
		conn, _, err := dialer.Dial(target, header)
		if err != nil {
			c.reconnects.Add(1)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		conn.SetReadLimit(64 << 20)
		code := readWs(conn, c)
		conn.Close()
		if code != 4009 && code != 1006 && code != 1011 {
			return
		}
		c.reconnects.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// readWs reads one connection until it ends; returns the close code (1006 when there was none).
func readWs(conn *websocket.Conn, c *connection) int {
	var buffer bytes.Buffer
	for {
		_, reader, err := conn.NextReader()
		if err != nil {
			if closeError, ok := err.(*websocket.CloseError); ok {
				return closeError.Code
			}
			return 1006
		}
		buffer.Reset()
		if _, err := buffer.ReadFrom(reader); err != nil {
			return 1006
		}
		message := buffer.Bytes()
		switch {
		case bytes.HasPrefix(message, eventPrefix):
			c.take(message)
		case bytes.HasPrefix(message, []byte(`{"type":"welcome"`)):
			subscribe := map[string]string{"type": "subscribe"}
			if c.lastID != "" {
				subscribe["last_event_id"] = c.lastID
			}
			if err := conn.WriteJSON(subscribe); err != nil {
				return 1006
			}
		case bytes.HasPrefix(message, []byte(`{"type":"subscribed"`)):
			c.markLive()
		}
	}
}

func runSse(url string, c *connection) {
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for {
		request, _ := http.NewRequest("GET", url+"/api/v1/events", nil)
		request.Header.Set("X-API-Key", opts.Key)
		if c.lastID != "" {
			request.Header.Set("Last-Event-ID", c.lastID)
		}
		response, err := client.Do(request)
		if err != nil {
			c.reconnects.Add(1)
			time.Sleep(200 * time.Millisecond)
			continue
		}
		readSse(bufio.NewReaderSize(response.Body, 16*1024), c)
		response.Body.Close()
		c.reconnects.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// readSse reads one stream's blocks (separated by an empty line) until it ends.
func readSse(reader *bufio.Reader, c *connection) {
	var block []byte
	for {
		line, err := reader.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			block = append(block, line...)
			continue
		}
		if err != nil {
			return
		}
		if len(line) > 1 {
			block = append(block, line...)
			continue
		}
		switch {
		case bytes.HasPrefix(block, []byte(": connected")):
			c.markLive()
		case bytes.HasPrefix(block, []byte("event: error")):
			// slow consumer: the stream ends; the caller reconnects
		case bytes.HasPrefix(block, []byte("event: ")):
			c.take(block)
		}
		block = block[:0]
	}
}

func percentile(p float64) float64 {
	target := int64(math.Ceil(float64(samples.Load()) * p))
	for i := range histogram {
		target -= int64(atomic.LoadUint32(&histogram[i]))
		if target <= 0 {
			return float64(i) * bucketMs
		}
	}
	return math.NaN()
}

func cpuMs() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e6
}

func emit(value any) {
	line, _ := json.Marshal(value)
	os.Stdout.Write(append(line, '\n'))
}

func main() {
	if len(os.Args) < 2 || json.Unmarshal([]byte(os.Args[1]), &opts) != nil {
		fmt.Fprintln(os.Stderr, "usage: fanout-load '{\"urls\":[...],\"key\":...,\"kind\":\"ws\"|\"sse\",\"count\":n}'")
		os.Exit(2)
	}
	connections := make([]*connection, opts.Count)
	for i := range connections {
		c := &connection{live: make(chan struct{})}
		connections[i] = c
		url := opts.URLs[i%len(opts.URLs)]
		if opts.Kind == "ws" {
			go runWs(url, c)
		} else {
			go runSse(url, c)
		}
		// Connect in waves, not all at once (the listen backlog is finite).
		if i%200 == 199 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, c := range connections {
		<-c.live
	}
	emit(map[string]int{"ready": len(connections)})

	stdin := bufio.NewScanner(os.Stdin)
	for stdin.Scan() {
		fields := strings.Fields(stdin.Text())
		if len(fields) != 4 || fields[0] != "finish" {
			continue
		}
		from, _ := strconv.ParseInt(fields[1], 10, 64)
		position, _ := strconv.ParseInt(fields[2], 10, 64)
		timeoutMs, _ := strconv.ParseInt(fields[3], 10, 64)
		deadline := time.Now().Add(time.Duration(timeoutMs) * time.Millisecond)
		for time.Now().Before(deadline) {
			done := true
			for _, c := range connections {
				if c.last.Load() < position {
					done = false
					break
				}
			}
			if done {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		// Read the per-connection figures: their goroutines are quiet now (everything arrived) or
		// still behind (the backlog); the tallies are only read for the report.
		var lost, undelivered, duplicated, outOfOrder, reconnects, incomplete, received int64
		for _, c := range connections {
			received += c.received
			last := c.last.Load()
			if c.first == 0 {
				undelivered += position - from + 1
			} else {
				lost += max(0, c.first-from) + c.lost
				undelivered += max(0, position-last)
			}
			duplicated += c.duplicated
			outOfOrder += c.outOfOrder
			reconnects += c.reconnects.Load()
			if last < position {
				incomplete++
			}
		}
		arrivals := map[string]float64{}
		positions := map[string]int64{}
		for k := int64(0); k <= maxK.Load(); k++ {
			if us := lastArrival[k].Load(); us > 0 {
				arrivals[strconv.FormatInt(k, 10)] = float64(us) / 1000
				positions[strconv.FormatInt(k, 10)] = positionOfK[k].Load()
			}
		}
		emit(map[string]any{"stats": map[string]any{
			"connections": len(connections),
			"deliveries":  samples.Load(),
			"received":    received,
			"p50_ms":      percentile(0.5),
			"p99_ms":      percentile(0.99),
			"max_ms":      percentile(1),
			"lost":        lost,
			"undelivered": undelivered,
			"duplicated":  duplicated,
			"outOfOrder":  outOfOrder,
			"reconnects":  reconnects,
			"incomplete":  incomplete,
			"lastArrival": arrivals,
			"positions":   positions,
			"cpu_ms":      cpuMs(),
		}})
		break
	}
	// Then "commits {k: Unix ms the server acknowledged mutation k's commit}": every arrival
	// minus its commit, as a histogram of 0.1 ms buckets {bucket: count} (merged by the caller).
	for stdin.Scan() {
		command, payload, _ := strings.Cut(stdin.Text(), " ")
		if command != "commits" {
			continue
		}
		var commits map[string]float64
		if err := json.Unmarshal([]byte(payload), &commits); err != nil {
			fmt.Fprintln(os.Stderr, "commits:", err)
			os.Exit(1)
		}
		byK := map[int32]float64{}
		for k, at := range commits {
			if ki, err := strconv.Atoi(k); err == nil {
				byK[int32(ki)] = at
			}
		}
		buckets := map[string]int{}
		for _, c := range connections {
			c.arrivalsMu.Lock()
			for _, a := range c.arrivals {
				if at, ok := byK[a.k]; ok {
					buckets[strconv.Itoa(int(math.Round((a.at-at)/bucketMs)))]++
				}
			}
			c.arrivalsMu.Unlock()
		}
		emit(map[string]any{"commit_to_delivery": buckets})
		os.Exit(0)
	}
}
